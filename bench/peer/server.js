// The naive Node `ws` broadcast server Parley is measured against: every text message goes to
// every other open client, in one loop. Listens on 127.0.0.1:$PORT (default 8090) only.
const { WebSocketServer, WebSocket } = require('ws');

const port = Number(process.env.PORT || 8090);
const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });

wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    for (const client of wss.clients) {
      if (client !== ws && client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    }
  });
});
wss.on('listening', () => console.log(`LISTENING ${wss.address().port}`));
