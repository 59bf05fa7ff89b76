package org.ddpm4j.toolkit.io;

import org.ddpm4j.api.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ddpm4j.api.InvalidParameterException;

/**
 * NumPy's {@code .npy} format (versions 1-3): float32 or float64 arrays, either byte order, C order,
 * and the integer arrays numpy writes (int8 to int64, uint8 to uint64; class labels), read as doubles.
 * Enough to exchange noise, samples, weights and labels with Python exactly.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=]?)([A-Za-z])(\\d*)'");
    /** A structured dtype: a list of fields instead of one type string. */
    private static final Pattern STRUCTURED = Pattern.compile("'descr'\\s*:\\s*\\[");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** An array read from a {@code .npy} file: its shape and its values widened to double. */
    public record Array(int[] shape, double[] data, boolean doublePrecision) {
        public int size(int axis) {
            return shape[axis];
        }

        /** Rows of a 2-D array. */
        public double[][] rows() {
            if (shape.length != 2) {
                throw new IllegalArgumentException("expected a 2-D array, got shape " + Arrays.toString(shape));
            }
            double[][] r = new double[shape[0]][];
            for (int i = 0; i < shape[0]; i++) {
                r[i] = Arrays.copyOfRange(data, i * shape[1], (i + 1) * shape[1]);
            }
            return r;
        }

        public float[] floats() {
            float[] f = new float[data.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) data[i];
            }
            return f;
        }
    }

    private Npy() {
    }

    public static Array read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new InvalidParameterException("file", file.toString(), "does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + IoErrors.describe(e), e);
        }
    }

    /** Reads one array from a stream; {@code source} names it in errors. */
    public static Array read(InputStream stream, String source) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        byte[] magic = new byte[6];
        try {
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw invalid(source, "not a NumPy .npy file (bad magic bytes)");
            }
            int major = in.readUnsignedByte();
            in.readUnsignedByte();
            int headerLength;
            if (major == 1) {
                headerLength = Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
            } else if (major == 2 || major == 3) {
                headerLength = Integer.reverseBytes(in.readInt());
            } else {
                throw invalid(source, "unsupported .npy version " + major);
            }
            byte[] header = new byte[headerLength];
            in.readFully(header);
            String h = new String(header, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Matcher descr = DESCR.matcher(h);
            Matcher fortran = FORTRAN.matcher(h);
            Matcher shapeMatch = SHAPE.matcher(h);
            if (STRUCTURED.matcher(h).find()) {
                throw invalid(source, "dtype is a structured (record) dtype, which is not supported; use float32, float64 or an integer type");
            }
            if (!descr.find() || !fortran.find() || !shapeMatch.find()) {
                throw invalid(source, "malformed .npy header: " + h.trim());
            }
            if (fortran.group(1).equals("True")) {
                throw invalid(source, "Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
            }
            String kind = descr.group(2);
            int bytes = descr.group(3).isEmpty() ? 0 : Integer.parseInt(descr.group(3));
            boolean floating = kind.equals("f");
            boolean integral = kind.equals("i") || kind.equals("u");
            if (floating ? bytes != 4 && bytes != 8 : !integral || bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8) {
                throw invalid(source, "dtype '" + descr.group(1) + kind + descr.group(3) + "' (" + dtypeName(kind, bytes)
                        + ") is not supported; use float32, float64 or an integer type");
            }
            ByteOrder order = descr.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            int[] shape = parseShape(shapeMatch.group(1), source);
            long count = Tensor.elementCount(shape);
            if (count * bytes > Integer.MAX_VALUE - 8) {
                throw invalid(source, "array too large: " + Arrays.toString(shape));
            }
            byte[] raw = new byte[(int) (count * bytes)];
            in.readFully(raw);
            ByteBuffer buffer = ByteBuffer.wrap(raw).order(order);
            double[] data = new double[(int) count];
            boolean unsigned = kind.equals("u");
            for (int i = 0; i < data.length; i++) {
                data[i] = floating ? (bytes == 4 ? buffer.getFloat() : buffer.getDouble()) : integer(buffer, bytes, unsigned);
            }
            return new Array(shape, data, floating ? bytes == 8 : bytes >= 4);
        } catch (EOFException e) {
            throw invalid(source, "file is truncated");
        }
    }

    /** NumPy's name of a dtype kind character and size, for errors. */
    private static String dtypeName(String kind, int bytes) {
        String name = switch (kind) {
            case "f" -> "float";
            case "i" -> "int";
            case "u" -> "uint";
            case "c" -> "complex";
            case "b" -> "bool";
            case "O" -> "object";
            case "U" -> "unicode string";
            case "S", "a" -> "byte string";
            case "V" -> "void (raw bytes)";
            case "M" -> "datetime64";
            case "m" -> "timedelta64";
            default -> "unknown kind '" + kind + "'";
        };
        boolean sized = switch (kind) {
            case "f", "i", "u", "c" -> true;
            default -> false;
        };
        return sized && bytes > 0 ? name + bytes * 8 : name;
    }

    /** The next integer of {@code bytes} bytes (uint64 above 2^63 read as its unsigned value). */
    private static double integer(ByteBuffer buffer, int bytes, boolean unsigned) {
        return switch (bytes) {
            case 1 -> unsigned ? Byte.toUnsignedInt(buffer.get()) : buffer.get();
            case 2 -> unsigned ? Short.toUnsignedInt(buffer.getShort()) : buffer.getShort();
            case 4 -> unsigned ? Integer.toUnsignedLong(buffer.getInt()) : buffer.getInt();
            default -> {
                long v = buffer.getLong();
                yield unsigned && v < 0 ? Double.parseDouble(Long.toUnsignedString(v)) : v;
            }
        };
    }

    private static int[] parseShape(String text, String source) {
        String t = text.trim();
        if (t.isEmpty()) {
            return new int[0];
        }
        return Arrays.stream(t.split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToInt(s -> {
            try {
                return Integer.parseInt(s.endsWith("L") ? s.substring(0, s.length() - 1) : s);
            } catch (NumberFormatException e) {
                throw invalid(source, "malformed shape (" + text + ")");
            }
        }).toArray();
    }

    private static InvalidParameterException invalid(String source, String why) {
        return new InvalidParameterException("file", source, why);
    }

    /** Writes float64 data atomically. */
    public static void writeDoubles(Path file, double[] data, int... shape) {
        AtomicFiles.write(file, out -> writeDoubles(out, data, shape));
    }

    /** Writes float32 data atomically. */
    public static void writeFloats(Path file, float[] data, int... shape) {
        AtomicFiles.write(file, out -> writeFloats(out, data, shape));
    }

    public static void writeDoubles(OutputStream out, double[] data, int... shape) throws IOException {
        checkCount(data.length, shape);
        writeDoublesHeader(out, shape);
        writeDoubleValues(out, data);
    }

    /**
     * Starts a float64 array of {@code shape} whose values the caller then writes in row-major
     * chunks with {@link #writeDoubleValues}, so that an array larger than memory can be streamed
     * (inside {@link AtomicFiles#write}, so that a failed run leaves no truncated file). The caller
     * writes exactly as many values as the shape holds.
     */
    public static void writeDoublesHeader(OutputStream out, int... shape) throws IOException {
        writeHeader(out, "<f8", shape);
    }

    /** The next values of an array started with {@link #writeDoublesHeader}. */
    public static void writeDoubleValues(OutputStream out, double[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putDouble(v);
        }
        out.write(b.array());
    }

    public static void writeFloats(OutputStream out, float[] data, int... shape) throws IOException {
        checkCount(data.length, shape);
        writeHeader(out, "<f4", shape);
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : data) {
            b.putFloat(v);
        }
        out.write(b.array());
    }

    private static void checkCount(int length, int[] shape) {
        long n = Tensor.elementCount(shape);
        if (n != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, not " + length);
        }
    }

    private static void writeHeader(OutputStream out, String descr, int[] shape) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (int s : shape) {
            dims.append(s).append(", ");
        }
        String shapeText = shape.length == 1 ? dims.substring(0, dims.length() - 1) : shape.length == 0 ? "" : dims.substring(0, dims.length() - 2);
        StringBuilder header = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shapeText + "), }");
        // Pad so that the data starts at a multiple of 64 bytes, ending the header with a newline.
        int total = MAGIC.length + 2 + 2 + header.length() + 1;
        header.append(" ".repeat((64 - total % 64) % 64)).append('\n');
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(MAGIC);
        b.write(1);
        b.write(0);
        int len = header.length();
        b.write(len & 0xff);
        b.write((len >> 8) & 0xff);
        b.write(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(b.toByteArray());
    }
}
