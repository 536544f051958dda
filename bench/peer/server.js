// The naive Node `ws` broadcast server Parley is measured against: every text message goes to
// every other open client of the same URL path, in one loop. Every client of the classic
// scenarios connects to "/", so there the path is the whole server; the `many` scenario puts each
// room on its own path ("/many-7"). Listens on 127.0.0.1:$PORT (default 8090) only.
const { WebSocketServer, WebSocket } = require('ws');

const port = Number(process.env.PORT || 8090);
const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });
const rooms = new Map(); // URL path -> Set of clients

wss.on('connection', (ws, req) => {
  const path = req.url;
  if (!rooms.has(path)) rooms.set(path, new Set());
  const room = rooms.get(path);
  room.add(ws);
  ws.on('close', () => { room.delete(ws); if (room.size === 0 && rooms.get(path) === room) rooms.delete(path); });
  ws.on('message', (data, isBinary) => {
    for (const client of room) {
      if (client !== ws && client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    }
  });
});
wss.on('listening', () => console.log(`LISTENING ${wss.address().port}`));
