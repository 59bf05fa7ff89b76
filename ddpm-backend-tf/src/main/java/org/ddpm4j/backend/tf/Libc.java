package org.ddpm4j.backend.tf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.tensorflow.internal.c_api.TFE_CustomDeviceTensorHandle.Dim_Pointer_int_TF_Status;

/**
 * The few C library calls that TensorFlow's process-wide settings need and that Java cannot make:
 * {@code putenv} (TensorFlow reads some settings from the C environment, which Java cannot change)
 * and {@code dup}/{@code dup2}/{@code open}/{@code close} (to silence native stderr for a moment).
 *
 * <p>There is no binding for them, so they are called through a function-pointer type that the
 * TensorFlow natives already bind, {@code int64_t (*)(void*, int, void*)}: on the x86-64 and
 * AArch64 calling conventions a C function taking at most one pointer-or-int and one int, and
 * returning an int, is called correctly through it (the third argument is ignored). Only usable
 * once the TensorFlow natives are loaded.
 */
final class Libc {
    /** Strings handed to putenv become part of the environment and must live forever. */
    private static final List<BytePointer> ENVIRONMENT = new ArrayList<>();

    private Libc() {
    }

    /** True where the calls below can work (Linux and macOS). */
    static boolean available() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        return (os.contains("linux") || os.contains("mac")) && Loader.addressof("putenv") != null;
    }

    /** {@code putenv("name=value")}: visible to native code from now on (not to System.getenv). */
    static void setenv(String name, String value) {
        BytePointer entry = new BytePointer(name + "=" + value);
        synchronized (ENVIRONMENT) {
            ENVIRONMENT.add(entry);
        }
        check("putenv", call("putenv", entry, 0));
    }

    /** Runs {@code action} with the process's native stderr (fd 2) sent to /dev/null. */
    static void withoutStderr(Runnable action) {
        int saved = check("dup", call("dup", integer(2), 0));
        int devNull = check("open", call("open", new BytePointer("/dev/null"), 1 /* O_WRONLY */));
        try {
            check("dup2", call("dup2", integer(devNull), 2));
            action.run();
        } finally {
            call("dup2", integer(saved), 2);
            call("close", integer(saved), 0);
            call("close", integer(devNull), 0);
        }
    }

    private static int call(String function, Pointer first, int second) {
        Pointer address = Loader.addressof(function);
        if (address == null) {
            throw new IllegalStateException("C library function " + function + " not found");
        }
        // A JavaCPP function pointer object points at a cell holding the function's address.
        try (PointerPointer<Pointer> cell = new PointerPointer<>(1)) {
            cell.put(0, address);
            return (int) new Dim_Pointer_int_TF_Status(cell).call(first, second, null);
        }
    }

    /** A "pointer" whose address is a small integer: how an int travels in the first argument. */
    private static Pointer integer(long value) {
        return new Pointer() {
            {
                address = value;
            }
        };
    }

    private static int check(String function, int result) {
        if (result < 0) {
            throw new IllegalStateException(function + " failed");
        }
        return result;
    }
}
