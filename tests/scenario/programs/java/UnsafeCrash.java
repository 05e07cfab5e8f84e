import java.lang.reflect.Field;

/* Dies in the JVM's own Unsafe code: a read from address 0. */
public class UnsafeCrash {
    public static void main(String[] args) throws Exception {
        Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        sun.misc.Unsafe u = (sun.misc.Unsafe) f.get(null);
        System.out.println(u.getByte(0L));
    }
}
