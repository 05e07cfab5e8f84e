import java.lang.reflect.Field;

/* Dies in the JVM's Unsafe code on a named worker thread (not main): a read from address 0. */
public class WorkerCrash {
    public static void main(String[] args) throws Exception {
        Thread w = new Thread(WorkerCrash::settle, args.length > 0 ? args[0] : "ledger-settle-7");
        w.start();
        w.join();
    }

    static void settle() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            sun.misc.Unsafe u = (sun.misc.Unsafe) f.get(null);
            System.out.println(u.getByte(0L));
        } catch (ReflectiveOperationException e) {
            throw new RuntimeException(e);
        }
    }
}
