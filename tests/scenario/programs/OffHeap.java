package com.example.cache;

import java.lang.reflect.Field;
import sun.misc.Unsafe;

/*
 * An off-heap cache that reads a slot through Unsafe at a bad address.
 * "warm": the reads run hot first, so the JIT compiles read() into sum()
 * with Unsafe.getLong inlined as a plain load: the fault is in compiled
 * Java code, with no Unsafe_* frame. Otherwise the interpreter calls the
 * JVM's Unsafe_GetLong, which faults.
 */
public class OffHeap {
    static Unsafe U;

    static long read(long slot) {
        return U.getLong(slot);
    }

    static long sum(long base, int n) {
        long s = 0;
        for (int i = 0; i < n; i++)
            s += read(base + 8 * (i & 3));
        return s;
    }

    public static void main(String[] args) throws Exception {
        Field f = Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        U = (Unsafe) f.get(null);
        long block = U.allocateMemory(64);
        if (args.length > 0 && args[0].equals("warm"))
            for (int k = 0; k < 20000; k++)
                sum(block, 100);
        System.out.println(sum(0xdead0000L, 3));
    }
}
