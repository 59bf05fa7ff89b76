package org.ddpm4j.toolkit.io;

import org.ddpm4j.api.tensor.Tensor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.tensor.HostArray;

/**
 * Hugging Face's {@code .safetensors} format: an 8-byte little-endian header length, a JSON header
 * naming each tensor's dtype, shape and byte range, then the raw little-endian data. Reading maps
 * the file (one mapping per tensor, so files over 2 GiB work) and converts F64, F32, F16 and BF16
 * straight into float32 arrays: the file passes through the Java heap once. Every structural
 * defect is refused with a {@link FormatException} naming it before any tensor is used.
 */
public final class Safetensors {
    /** The header limit of the reference implementation (100 MB): a larger one is not a real file. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final String METADATA = "__metadata__";

    /** The element types this reader converts to float32. */
    public enum Dtype {
        F64(8), F32(4), F16(2), BF16(2);

        final int bytes;

        Dtype(int bytes) {
            this.bytes = bytes;
        }
    }

    /** A file that is not a valid safetensors file; {@link #defect()} names what is wrong. */
    public static final class FormatException extends InvalidParameterException {
        private static final long serialVersionUID = 1L;
        private final String defect;

        FormatException(Path file, String defect, String detail) {
            super("file", file.toString(), "not a valid safetensors file: " + defect + ": " + detail);
            this.defect = defect;
        }

        /** A short name of the defect, e.g. {@code "truncated"} or {@code "overlapping offsets"}. */
        public String defect() {
            return defect;
        }
    }

    /** One tensor's entry in the header: dtype, shape and its byte range within the data section. */
    public record Entry(String name, Dtype dtype, int[] shape, long begin, long end) {
        public long count() {
            return Tensor.elementCount(shape);
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }
    }

    private final Path file;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private Safetensors(Path file, long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {
        this.file = file;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Reads and checks the header of {@code file}; tensors are mapped only when read. */
    public static Safetensors open(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new FormatException(file, "truncated", "the file has " + size + " bytes, fewer than the 8-byte header length");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long headerLength = len.flip().getLong();
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw new FormatException(file, "header too large", "the header claims " + Long.toUnsignedString(headerLength)
                        + " bytes; at most " + MAX_HEADER_BYTES + " are allowed");
            }
            if (8 + headerLength > size) {
                throw new FormatException(file, "truncated", "the header claims " + headerLength + " bytes but the file has only "
                        + (size - 8) + " after the length");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(ch, header, 8);
            String json = new String(header.array(), StandardCharsets.UTF_8);
            return parse(file, json, 8 + headerLength, size - 8 - headerLength);
        } catch (NoSuchFileException e) {
            throw new InvalidParameterException("file", file.toString(), "does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Safetensors parse(Path file, String json, long dataStart, long dataLength) {
        Map<String, Object> header;
        try {
            header = Json.mapper().readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new FormatException(file, "malformed header", e.getOriginalMessage());
        }
        if (header == null) {
            throw new FormatException(file, "malformed header", "the header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : header.entrySet()) {
            if (e.getKey().equals(METADATA)) {
                if (!(e.getValue() instanceof Map<?, ?> m)) {
                    throw new FormatException(file, "malformed header", "__metadata__ must be an object of strings");
                }
                for (Map.Entry<?, ?> kv : m.entrySet()) {
                    if (!(kv.getValue() instanceof String s)) {
                        throw new FormatException(file, "malformed header", "__metadata__ value of '" + kv.getKey() + "' is not a string");
                    }
                    metadata.put((String) kv.getKey(), s);
                }
                continue;
            }
            if (!(e.getValue() instanceof Map<?, ?> t)) {
                throw new FormatException(file, "malformed header", "tensor '" + e.getKey() + "' is not an object");
            }
            entries.put(e.getKey(), entry(file, e.getKey(), (Map<String, Object>) t));
        }
        checkLayout(file, entries, dataLength);
        return new Safetensors(file, dataStart, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata));
    }

    private static Entry entry(Path file, String name, Map<String, Object> t) {
        Object dtypeValue = t.get("dtype");
        Dtype dtype;
        try {
            dtype = Dtype.valueOf(String.valueOf(dtypeValue));
        } catch (IllegalArgumentException ex) {
            throw new FormatException(file, "unknown dtype", "tensor '" + name + "' has dtype " + dtypeValue
                    + "; supported: " + Arrays.toString(Dtype.values()));
        }
        int[] shape = longs(file, name, "shape", t.get("shape"), -1).stream().mapToInt(v -> {
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new FormatException(file, "malformed header", "tensor '" + name + "' has dimension " + v);
            }
            return (int) (long) v;
        }).toArray();
        List<Long> offsets = longs(file, name, "data_offsets", t.get("data_offsets"), 2);
        long begin = offsets.get(0);
        long end = offsets.get(1);
        if (begin < 0 || end < begin) {
            throw new FormatException(file, "out-of-range offsets", "tensor '" + name + "' has data_offsets [" + begin + ", " + end + "]");
        }
        Entry entry = new Entry(name, dtype, shape, begin, end);
        long count = entry.count();
        if (count > Integer.MAX_VALUE - 8 || count * dtype.bytes != end - begin) {
            throw new FormatException(file, "shape/size mismatch", "tensor '" + name + "' of shape " + Arrays.toString(shape) + " and dtype "
                    + dtype + " needs " + count * dtype.bytes + " bytes but data_offsets span " + (end - begin));
        }
        return entry;
    }

    private static List<Long> longs(Path file, String name, String key, Object value, int length) {
        if (!(value instanceof List<?> list) || (length >= 0 && list.size() != length)) {
            throw new FormatException(file, "malformed header", "tensor '" + name + "' has " + key + " = " + value
                    + (length >= 0 ? "; expected a list of " + length + " integers" : "; expected a list of integers"));
        }
        List<Long> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Integer || o instanceof Long)) {
                throw new FormatException(file, "malformed header", "tensor '" + name + "' has " + key + " = " + value + "; expected integers");
            }
            out.add(((Number) o).longValue());
        }
        return out;
    }

    /** The byte ranges must tile the data section exactly: no overlap, no hole (an end past the total), nothing past its end. */
    private static void checkLayout(Path file, Map<String, Entry> entries, long dataLength) {
        // a valid file tiles [0, total) where total is the sum of the tensor sizes: an end past it cannot be
        // explained by a short file, a tiling that only the file's length breaks can
        long total = 0;
        for (Entry e : entries.values()) {
            total += e.end() - e.begin();
        }
        for (Entry e : entries.values()) {
            if (e.end() > total) {
                throw new FormatException(file, "out-of-range offsets", "tensor '" + e.name() + "' ends at byte " + e.end()
                        + " but all tensors together hold " + total + " bytes (the file's data section has " + dataLength + ")");
            }
        }
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() < covered) {
                throw new FormatException(file, "overlapping offsets", "tensor '" + e.name() + "' [" + e.begin() + ", " + e.end()
                        + ") overlaps tensor '" + previous.name() + "' [" + previous.begin() + ", " + previous.end() + ")");
            }
            covered = e.end();
            previous = e;
        }
        if (covered > dataLength) {
            throw new FormatException(file, "truncated", "the tensors need " + covered + " data bytes but the file holds " + dataLength);
        }
        if (covered < dataLength) {
            throw new FormatException(file, "trailing data", "the tensors cover " + covered + " bytes of a data section of " + dataLength);
        }
    }

    public Path file() {
        return file;
    }

    /** Tensor names in header order. */
    public List<String> names() {
        return List.copyOf(entries.keySet());
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    /** The header's {@code __metadata__} (string to string), empty when absent. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** One tensor as float32, read through a mapping of its own byte range. */
    public HostArray read(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new InvalidParameterException("tensor", name, "is not in " + file + "; it holds " + entries.size() + " tensors");
        }
        float[] out = new float[(int) e.count()];
        if (out.length > 0) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.end() - e.begin());
                map.order(ByteOrder.LITTLE_ENDIAN);
                decode(e.dtype(), map, out);
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot read " + file, ex);
            }
        }
        return new HostArray(e.shape(), out);
    }

    /** Every tensor as float32, in header order. */
    public Map<String, HostArray> readAll() {
        Map<String, HostArray> out = new LinkedHashMap<>();
        for (String name : entries.keySet()) {
            out.put(name, read(name));
        }
        return out;
    }

    /** Reads every tensor of {@code file}. */
    public static Map<String, HostArray> read(Path file) {
        return open(file).readAll();
    }

    private static void decode(Dtype dtype, ByteBuffer b, float[] out) {
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> {
                var d = b.asDoubleBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) d.get(i);
                }
            }
            case F16 -> {
                var s = b.asShortBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = halfToFloat(s.get(i));
                }
            }
            case BF16 -> {
                var s = b.asShortBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((s.get(i) & 0xffff) << 16);
                }
            }
            default -> throw new IllegalStateException(dtype.name());
        }
    }

    /** IEEE 754 binary16 to float32 (exact; Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Writes float32 tensors atomically, in the map's order, with optional string metadata. */
    public static void write(Path file, Map<String, HostArray> tensors, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            header.put(METADATA, new LinkedHashMap<>(metadata));
        }
        long offset = 0;
        for (Map.Entry<String, HostArray> e : tensors.entrySet()) {
            if (e.getKey().equals(METADATA)) {
                throw new InvalidParameterException("tensor", METADATA, "is reserved for metadata");
            }
            long bytes = 4L * e.getValue().data().length;
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("dtype", "F32");
            t.put("shape", e.getValue().shape());
            t.put("data_offsets", new long[] {offset, offset + bytes});
            header.put(e.getKey(), t);
            offset += bytes;
        }
        byte[] json;
        try {
            json = Json.mapper().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write the safetensors header: " + e.getOriginalMessage(), e);
        }
        // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
        int padded = (json.length + 7) / 8 * 8;
        byte[] head = Arrays.copyOf(json, padded);
        Arrays.fill(head, json.length, padded, (byte) ' ');
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(head);
            for (HostArray a : tensors.values()) {
                writeFloats(out, a.data());
            }
        });
    }

    private static void writeFloats(OutputStream out, float[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < data.length; i++) {
            if (!b.hasRemaining()) {
                out.write(b.array(), 0, b.position());
                b.clear();
            }
            b.putFloat(data[i]);
        }
        out.write(b.array(), 0, b.position());
    }
}
