import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;

/*
 * A crowded JVM for java_split.sh: a pool of 1,500 threads queued on 50
 * monitors (a third holding one, a third waiting for the next) and on one
 * ReentrantLock, so that a jstack -l dump of it is big enough to be parsed
 * in parts, with lock waits that cross the parts. Prints "ready".
 */
public class Crowd {
	static final Object[] ledgers = new Object[50];
	static final ReentrantLock vault = new ReentrantLock();
	static final CountDownLatch never = new CountDownLatch(1);

	static void audit(int k) throws InterruptedException {
		synchronized (ledgers[k % 50]) {
			never.await();
		}
	}

	static void settle(int k) throws InterruptedException {
		synchronized (ledgers[(k + 1) % 50]) {
			never.await();
		}
	}

	static void withdraw() throws InterruptedException {
		vault.lock();
		try {
			never.await();
		} finally {
			vault.unlock();
		}
	}

	public static void main(String[] args) throws Exception {
		for (int i = 0; i < ledgers.length; i++)
			ledgers[i] = new Object();
		ExecutorService pool = Executors.newFixedThreadPool(1500);
		CountDownLatch started = new CountDownLatch(1500);
		for (int i = 0; i < 1500; i++) {
			final int k = i;
			pool.submit(() -> {
				started.countDown();
				if (k % 3 == 0)
					audit(k);
				else if (k % 3 == 1)
					settle(k);
				else
					withdraw();
				return null;
			});
		}
		started.await();
		Thread.sleep(1000);
		System.out.println("ready");
		Thread.sleep(600000);
	}
}
