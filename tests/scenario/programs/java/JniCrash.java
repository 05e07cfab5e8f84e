/* Dies in a JNI library (libjnicrash.so, jnicrash.c): a NULL store. */
public class JniCrash {
    static native void crash();

    public static void main(String[] args) {
        System.loadLibrary("jnicrash");
        crash();
    }
}
