import java.lang.reflect.Field;

/* Dies storing through a null address from application code, after the caller got hot enough to be compiled. */
public class JvmCrash {
    static sun.misc.Unsafe U;

    static void store(long addr, int i) {
        U.putAddress(addr, i);
    }

    static long work(int i) {
        long sum = i * 3L;
        if (i == 200000)
            store(0L, i);
        return sum;
    }

    public static void main(String[] args) throws Exception {
        Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        U = (sun.misc.Unsafe) f.get(null);
        long total = 0;
        for (int i = 0; i <= 200000; i++)
            total += work(i);
        System.out.println(total);
    }
}
