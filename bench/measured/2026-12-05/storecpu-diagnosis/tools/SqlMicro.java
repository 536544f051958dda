import java.lang.management.ManagementFactory;
import java.sql.*;
import java.util.*;

public class SqlMicro {
  static final String ROOMS = "INSERT INTO parley_rooms (room, epoch, last_seq) VALUES (?, ?, ?) ON CONFLICT (room) DO UPDATE SET last_seq = last_seq + excluded.last_seq RETURNING last_seq, epoch";
  static final String INS = "INSERT INTO parley_messages (room, seq, id, sender, name, recipient, body, ts, cid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sender, cid) DO NOTHING";
  static final String MARK = "INSERT INTO parley_read_markers (room, usr, seq) VALUES (?, ?, ?) ON CONFLICT (room, usr) DO UPDATE SET seq = max(seq, excluded.seq) RETURNING seq";
  public static void main(String[] a) throws Exception {
    String mode = a[1];
    boolean sync = a.length < 3 || !a[2].equals("off");
    Properties p = new Properties();
    p.setProperty("journal_mode", "WAL"); p.setProperty("synchronous", sync ? "FULL" : "OFF");
    if (System.getProperty("nokeys") != null) p.setProperty("jdbc.get_generated_keys", "false");
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + a[0], p);
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS parley_rooms (room TEXT PRIMARY KEY, epoch TEXT NOT NULL, last_seq INTEGER NOT NULL)");
      s.execute("CREATE TABLE IF NOT EXISTS parley_messages (room TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, sender TEXT NOT NULL, name TEXT NOT NULL, recipient TEXT, body TEXT NOT NULL, ts INTEGER NOT NULL, cid TEXT, PRIMARY KEY (room, seq))");
      s.execute("CREATE UNIQUE INDEX IF NOT EXISTS m_cid ON parley_messages (sender, cid)");
      s.execute("CREATE TABLE IF NOT EXISTS parley_read_markers (room TEXT NOT NULL, usr TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (room, usr))");
    }
    var tm = ManagementFactory.getThreadMXBean();
    PreparedStatement pr = null, pi = null, pm = null, pb = null, pc = null;
    int[] marks = {400, 1200, 3000, 6000}; int mi = 0; long last = tm.getCurrentThreadCpuTime(), lastU = tm.getCurrentThreadUserTime(); int lastN = 0;
    String body = "x".repeat(100);
    for (int i = 1; i <= 6000; i++) {
      boolean cache = mode.equals("cached");
      if (!cache || pr == null) {
        if (pr != null) { pr.close(); pi.close(); pm.close(); }
        pr = c.prepareStatement(ROOMS); pi = c.prepareStatement(INS); pm = c.prepareStatement(MARK);
        if (cache) { pb = c.prepareStatement("BEGIN IMMEDIATE"); pc = c.prepareStatement("COMMIT"); }
      }
      if (cache) pb.execute(); else try (Statement s = c.createStatement()) { s.execute("BEGIN IMMEDIATE"); }
      pr.setString(1, "room"); pr.setString(2, "e"); pr.setLong(3, 1);
      long seq; try (ResultSet rs = pr.executeQuery()) { rs.next(); seq = rs.getLong(1); }
      pi.setString(1, "room"); pi.setLong(2, seq); pi.setString(3, "id" + i); pi.setString(4, "sender"); pi.setString(5, "S"); pi.setString(6, null); pi.setString(7, body); pi.setLong(8, System.currentTimeMillis()); pi.setString(9, "c" + i);
      pi.executeUpdate();
      pm.setString(1, "room"); pm.setString(2, "sender"); pm.setLong(3, seq);
      try (ResultSet rs = pm.executeQuery()) { rs.next(); }
      if (cache) pc.execute(); else try (Statement s = c.createStatement()) { s.execute("COMMIT"); }
      if (i == marks[mi]) {
        long cpu = tm.getCurrentThreadCpuTime(), u = tm.getCurrentThreadUserTime();
        System.out.printf("%s %5d..%5d: %.1f us/txn (user %.1f)%n", mode, lastN, i, (cpu - last) / 1e3 / (i - lastN), (u - lastU) / 1e3 / (i - lastN));
        last = cpu; lastU = u; lastN = i; mi++;
      }
    }
  }
}
