package org.ddpm4j.toolkit.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.ddpm4j.api.InvalidParameterException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Arrays of a dtype we do not read are named by their dtype, not called malformed. */
class NpyDtypeTest {

    /** A version-1 .npy header for {@code descr} (as NumPy writes it) followed by 16 zero bytes. */
    private static byte[] npy(String descr) {
        String header = "{'descr': " + descr + ", 'fortran_order': False, 'shape': (2,), }";
        header += " ".repeat((64 - (10 + header.length() + 1) % 64) % 64) + "\n";
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), 0});
        b.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        b.writeBytes(new byte[32]);
        return b.toByteArray();
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', quoteCharacter = '"', value = {
            "'<c16'; dtype '<c16' (complex128) is not supported; use float32, float64 or an integer type",
            "'|b1'; dtype '|b1' (bool) is not supported",
            "'|O'; dtype '|O' (object) is not supported",
            "'<f2'; dtype '<f2' (float16) is not supported",
            "'<U3'; dtype '<U3' (unicode string) is not supported",
            "[('x', '<f4')]; structured (record) dtype, which is not supported"})
    void anUnsupportedDtypeIsNamed(String descr, String expected) {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> Npy.read(new ByteArrayInputStream(npy(descr)), "x.npy"));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
