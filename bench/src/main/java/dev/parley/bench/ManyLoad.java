package dev.parley.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The load tool's {@code many} scenario (issue 15): many connections on one server.
 * {@code receivers} connections in {@code rooms} rooms of equal size (client {@code i} in room
 * {@code i % rooms}), spread over {@code sources} local addresses so the tool's own connects do
 * not wait for ephemeral ports. First what they cost: the time to connect (and join) them all, the
 * server's RSS and live heap per connection (after a warm-up pass, as in {@code idle}). Then a
 * fan-out in every room at once: {@code rate} messages a second in all, round-robin over the rooms,
 * each sent by its room's first member and received by the others (a room of 100: 99 deliveries
 * a message), measured as in {@code fanout} ({@link FanoutRun}).
 *
 * <p>Rooms in raw mode: the peer puts every client of one URL path in one room, so client
 * {@code i} connects to {@code <url>many-<i % rooms>} and the peer broadcasts to that path's
 * other clients only; in parley mode every client joins room {@code many-<i % rooms>}.
 */
record ManyLoad(LoadConfig config, PrintStream out, LoadTool tool, Tally tally) {

  LoadReport run() throws Exception {
    int n = config.receivers();
    int rooms = config.rooms();
    if (n % rooms != 0 || n / rooms < 2) {
      throw new IllegalArgumentException(n + " connections do not make " + rooms
          + " rooms of equal size of 2 or more");
    }
    // whole rounds over the rooms: every room gets the same number of messages
    int perRoom = (int) Math.round(config.rate() * (config.warmupSeconds()
        + config.durationSeconds()) / rooms);
    int warmPerRoom = (int) Math.round(config.rate() * config.warmupSeconds() / rooms);
    if (perRoom - warmPerRoom < 1) {
      throw new IllegalArgumentException("the measured window holds no message per room");
    }
    tally.warmupCount = warmPerRoom;
    Map<String, Object> v = tool.header();
    v.put("room_size", n / rooms);
    v.put("sources", config.sources());
    List<LoadPeer> all = tool.connectMeasuringMemory(v, n, perRoom, i -> place(i, rooms));
    List<LoadPeer> senders = new ArrayList<>(all.subList(0, rooms));
    List<LoadPeer> receivers = new ArrayList<>(all.subList(rooms, n));
    for (LoadPeer s : senders) {
      s.isSender = true;
    }
    out.printf(Locale.ROOT, "%s: %d connections in %d rooms ready in %.1f s; sending %d messages"
        + " at %.1f/s in all (%d warm-up)%n", config.label(), n, rooms, (Double) v.get("connect_s"),
        perRoom * rooms, config.rate(), warmPerRoom * rooms);
    new FanoutRun(config, tally, out).run(v, receivers, senders, perRoom * rooms,
        warmPerRoom * rooms);
    tool.footer(v);
    tool.closeAll(all, null);
    return new LoadReport(v);
  }

  private LoadTool.Placement place(int i, int rooms) {
    String room = "many-" + (i % rooms);
    String url = config.urls().get(0);
    if (config.mode().equals("raw")) {
      url = (url.endsWith("/") ? url : url + "/") + room;
    }
    return new LoadTool.Placement(room, url, config.source(i));
  }
}
