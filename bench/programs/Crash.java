// Bench input: a JVM with a big heap touched (about 640 MB of live arrays)
// and 24 sleeping worker threads, that dies in native code (Unsafe write to
// address 0): HotSpot writes an hs_err log and, with ulimit -c unlimited, a
// core of 600+ MB. With "hang": no big heap, and it sleeps (for jstack);
// "hang N": the workers' stacks N frames deep (default 40).
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

public class Crash {
    static final List<byte[]> heap = new ArrayList<>();

    // DEPTH frames of real Java code above the wait, as a busy server's threads have
    static void descend(int depth, Object lock) {
        if (depth > 0) {
            descend(depth - 1, lock);
            return;
        }
        synchronized (lock) {
            try { lock.wait(); } catch (InterruptedException e) { }
        }
    }

    public static void main(String[] args) throws Exception {
        boolean hang = args.length > 0 && args[0].equals("hang");
        int depth = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        for (int i = 0; i < (hang ? 0 : 640); i++) {
            byte[] b = new byte[1 << 20];
            for (int j = 0; j < b.length; j += 4096) b[j] = (byte) j;
            heap.add(b);
        }
        Object lock = new Object();
        for (int i = 0; i < 24; i++) {
            Thread t = new Thread(() -> descend(hang ? depth : 0, lock), "bench-worker-" + i);
            t.setDaemon(true);
            t.start();
        }
        Thread.sleep(500);
        if (hang) {
            Thread.sleep(600_000);
            return;
        }
        Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        sun.misc.Unsafe u = (sun.misc.Unsafe) f.get(null);
        u.putAddress(0, 42);
    }
}
