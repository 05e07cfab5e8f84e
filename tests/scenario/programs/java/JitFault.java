import java.lang.reflect.Field;

/*
 * Faults in code C2 compiled, after a warm-up, reading a bad address with
 * Unsafe.getLong (an intrinsic: the load is in the compiled code itself).
 * "lost": mix() keeps fourteen longs live, so C2 uses rbp for data and a
 * native unwinder loses its way in it. "inline": peek() is inlined into
 * loop() and faults after its call to sink() (kept out of line with
 * -XX:CompileCommand=dontinline,JitFault::sink), between two debug-info
 * points.
 */
public class JitFault {
    static sun.misc.Unsafe U;
    static long calls;

    static void sink(int i) {
        calls += i;
    }

    static long peek(long base, int i) {
        sink(i);
        return U.getLong(base + ((i & 7) << 3));
    }

    static long loop(long base, int n) {
        long s = 0;
        for (int i = 0; i < n; i++)
            s += peek(base, i);
        return s;
    }

    static long mix(long base, int n) {
        long a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8, p = 9, q = 10, r = 11, s = 12, t = 13, u = 14;
        for (int i = 0; i < n; i++) {
            long v = U.getLong(base + ((i & 7) << 3));
            a += v ^ b; b += a * 3 + c; c ^= b + d; d += c * 5 ^ e; e += d + f; f ^= e * 7 + g; g += f ^ h;
            h += g * 9 + p; p ^= h + q; q += p * 11 ^ r; r += q + s; s ^= r * 13 + t; t += s ^ u; u ^= t + a;
        }
        return a + b + c + d + e + f + g + h + p + q + r + s + t + u;
    }

    static long drive(boolean lost, long base, int rounds) {
        long total = 0;
        for (int k = 0; k < rounds; k++)
            total += lost ? mix(base, 1000) : loop(base, 1000);
        return total;
    }

    public static void main(String[] args) throws Exception {
        Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        U = (sun.misc.Unsafe) f.get(null);
        boolean lost = args.length > 0 && args[0].equals("lost");
        long good = U.allocateMemory(64);
        long total = 0;
        for (int k = 0; k < 50; k++)
            total += drive(lost, good, 1000);
        System.out.println("warm " + total);
        total += drive(lost, 0xdead0000L, 1);
        System.out.println(total);
    }
}
