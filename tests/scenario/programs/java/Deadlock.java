import java.util.concurrent.locks.ReentrantLock;

/* Two threads in one lock cycle of mixed kinds: a monitor and a ReentrantLock. */
public class Deadlock {
    static final Object monitor = new Object();
    static final ReentrantLock rlock = new ReentrantLock();

    public static void main(String[] args) throws Exception {
        Thread a = new Thread(Deadlock::monitorThenLock, "holder-of-monitor");
        Thread b = new Thread(Deadlock::lockThenMonitor, "holder-of-rlock");
        a.setDaemon(true);
        b.setDaemon(true);
        a.start();
        b.start();
        while (a.getState() != Thread.State.WAITING || b.getState() != Thread.State.BLOCKED)
            Thread.sleep(10);
        System.out.println("deadlocked");
        System.out.flush();
        Thread.sleep(60_000);
    }

    static void monitorThenLock() {
        synchronized (monitor) {
            pause();
            rlock.lock();
        }
    }

    static void lockThenMonitor() {
        rlock.lock();
        pause();
        synchronized (monitor) {
            System.out.println("never");
        }
    }

    static void pause() {
        try { Thread.sleep(200); } catch (InterruptedException e) { }
    }
}
