import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.locks.ReentrantLock;

/*
 * A deadlock of three threads over two monitors and a ReentrantLock:
 * cycle-a holds monitor A and wants the ReentrantLock, cycle-b holds the
 * ReentrantLock and wants monitor B, cycle-c holds monitor B and wants
 * monitor A. Besides: "holder" sleeps holding monitor C while three
 * "queued-N" threads wait for it (contention, no cycle). Prints "ready"
 * when every thread is about to block.
 */
public class LockCycle {
    static final Object A = new Object(), B = new Object(), C = new Object();
    static final ReentrantLock RL = new ReentrantLock();
    static final CyclicBarrier ready = new CyclicBarrier(5, () -> System.out.println("ready"));

    static void arrive() {
        try {
            ready.await();
            Thread.sleep(200);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    static void cycleA() {
        synchronized (A) {
            arrive();
            RL.lock();
        }
    }

    static void cycleB() {
        RL.lock();
        arrive();
        synchronized (B) {
            System.out.println("unreachable");
        }
    }

    static void cycleC() {
        synchronized (B) {
            arrive();
            synchronized (A) {
                System.out.println("unreachable");
            }
        }
    }

    static void holder() {
        synchronized (C) {
            arrive();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    static void queued() {
        try {
            Thread.sleep(400);
        } catch (InterruptedException e) {
            return;
        }
        synchronized (C) {
            System.out.println("unreachable");
        }
    }

    public static void main(String[] args) {
        new Thread(LockCycle::cycleA, "cycle-a").start();
        new Thread(LockCycle::cycleB, "cycle-b").start();
        new Thread(LockCycle::cycleC, "cycle-c").start();
        new Thread(LockCycle::holder, "holder").start();
        for (int i = 0; i < 3; i++)
            new Thread(LockCycle::queued, "queued-" + i).start();
        try {
            ready.await();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
