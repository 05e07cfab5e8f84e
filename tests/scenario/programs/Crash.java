// JVM crashes for the catalogue: Unsafe write to address 0 (in the JVM), a JNI library crash, Java heap OOM.
import java.lang.reflect.Field;

public class Crash {
    static native void crashNative();

    static void writeThrough(sun.misc.Unsafe u, long address) {
        u.putAddress(address, 42L);
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jni")) {
            System.load(args[1]);
            crashNative();
            return;
        }
        if (args.length > 0 && args[0].equals("oom")) {
            java.util.List<long[]> keep = new java.util.ArrayList<>();
            for (;;)
                keep.add(new long[1 << 16]);
        }
        Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        writeThrough((sun.misc.Unsafe) f.get(null), 0L);
    }
}
