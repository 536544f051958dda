import dev.parley.core.spi.MessageStore.Append;
import dev.parley.protocol.Message;
import dev.parley.store.jdbc.JdbcMessageStore;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;

public class StoreCpu {
  public static void main(String[] a) throws Exception {
    Path dir = Path.of(a[0]);
    int rate = Integer.parseInt(a[1]);
    int[] marks = {400, 1200, 3000, 6000};
    JdbcMessageStore s = a.length > 2 ? JdbcMessageStore.builder().jdbcUrl(a[2]).build() : JdbcMessageStore.sqlite(dir);
    ThreadMXBean tm = ManagementFactory.getThreadMXBean();
    long wid = -1;
    for (Thread t : Thread.getAllStackTraces().keySet()) if (t.getName().equals("parley-jdbc-writer")) wid = t.getId();
    long gap = 1_000_000_000L / rate;
    long next = System.nanoTime();
    long lastCpu = tm.getThreadCpuTime(wid); int lastN = 0; long lastUser = tm.getThreadUserTime(wid);
    int mi = 0;
    for (int i = 1; i <= marks[marks.length - 1]; i++) {
      Message m = new Message("n-" + i, "room", 0, "sender", "Sender", null, "x".repeat(100), System.currentTimeMillis());
      s.append(new Append(m, "c" + i)).toCompletableFuture().get();
      if (i == marks[mi]) {
        long cpu = tm.getThreadCpuTime(wid), user = tm.getThreadUserTime(wid);
        System.out.printf("appends %5d..%5d: writer CPU %.1f us/append (user %.1f)%n", lastN, i,
            (cpu - lastCpu) / 1e3 / (i - lastN), (user - lastUser) / 1e3 / (i - lastN));
        lastCpu = cpu; lastUser = user; lastN = i; mi++;
      }
      next += gap;
      long w = next - System.nanoTime();
      if (w > 0) java.util.concurrent.locks.LockSupport.parkNanos(w);
    }
    System.out.println(s.stats());
    s.close();
  }
}
