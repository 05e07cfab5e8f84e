/*
 * Monitors held without contention, in every shape jstack lists as
 * "- locked": nested in interpreted frames ("nested"), a synchronized
 * method's receiver ("synced"), a recursive enter ("recursive"), one
 * kept while waiting on another ("waiter", whose waited-on monitor is
 * released), and in frames compiled by C2 after a warm-up ("compiled": a
 * parameter and a static final, inlined or not), and in a compiled loop
 * that runs on ("spinning": the thread is stopped anywhere in it) -- plus
 * one thread that waits to enter a held monitor ("blocked", which holds
 * nothing). Prints "ready" when every thread is in place.
 */
public class Holds {
    static final Object A = new Object(), B = new Object(), C = new Object(), D = new Object();
    static final Object E = new Object(), K = new Object();
    static final java.util.concurrent.CountDownLatch placed = new java.util.concurrent.CountDownLatch(7);
    static volatile int stop = -1;
    static volatile long spun;

    static class Resource {
        synchronized void use() {
            placed.countDown();
            sleep();
        }
    }

    static void sleep() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
        }
    }

    static void outer() {
        synchronized (A) {
            inner();
        }
    }

    static void inner() {
        synchronized (B) {
            placed.countDown();
            sleep();
        }
    }

    static void recurse(int depth) {
        synchronized (E) {
            if (depth > 0)
                recurse(depth - 1);
            else {
                placed.countDown();
                sleep();
            }
        }
    }

    static void waiter() {
        synchronized (C) {
            synchronized (D) {
                placed.countDown();
                try {
                    D.wait();
                } catch (InterruptedException e) {
                }
            }
        }
    }

    static long tick(int i) {
        if (i == stop) {
            placed.countDown();
            sleep();
        }
        return i * 7L;
    }

    static long hot(Object o, int i) {
        synchronized (o) {
            synchronized (K) {
                return tick(i);
            }
        }
    }

    static void compiled() {
        Object mine = new int[1];
        long sum = 0;
        for (int i = 0; i < 300000; i++)
            sum += hot(mine, i);
        stop = 300000;
        sum += hot(mine, 300000);
        System.out.println(sum);
    }

    static void spin() {
        Object mine = new long[1];
        synchronized (mine) {
            placed.countDown();
            while (true)
                spun = spun * 31 + 7;
        }
    }

    public static void main(String[] args) throws Exception {
        new Thread(Holds::outer, "nested").start();
        new Thread(() -> new Resource().use(), "synced").start();
        new Thread(() -> recurse(2), "recursive").start();
        new Thread(Holds::waiter, "waiter").start();
        new Thread(Holds::compiled, "compiled").start();
        Thread spinning = new Thread(Holds::spin, "spinning");
        spinning.setDaemon(true);
        spinning.start();
        Thread.sleep(200);
        new Thread(() -> {
            placed.countDown();
            synchronized (A) {
                System.out.println("unreachable");
            }
        }, "blocked").start();
        placed.await();
        Thread.sleep(300);
        System.out.println("ready");
    }
}
