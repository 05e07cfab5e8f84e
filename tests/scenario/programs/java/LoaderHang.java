/*
 * A JVM whose native profiler (libjniloader.so) deadlocks on the loader
 * lock: "profiler" samples with dl_iterate_phdr while "request-handler"
 * unwinds its own stack with libunwind. Prints "started" once both threads
 * run.
 */
public class LoaderHang {
    static native void walk();
    static native void unwind();

    static void sample() {
        walk();
    }

    static void handle() {
        unwind();
    }

    public static void main(String[] args) throws Exception {
        System.loadLibrary("jniloader");
        Thread p = new Thread(LoaderHang::sample, "profiler");
        Thread r = new Thread(LoaderHang::handle, "request-handler");
        p.start();
        r.start();
        System.out.println("started");
        p.join();
    }
}
