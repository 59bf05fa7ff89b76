package org.ddpm4j.toolkit.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;

/**
 * The project's one JSON reader and writer (configurations, model cards, sidecars, reference files):
 * plain Java values (ordered maps, lists, strings, numbers, booleans, null), duplicate keys and
 * trailing tokens rejected, and clear errors (file, line, column) for malformed input.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .configure(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS, true);

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A JSON object as an ordered map of plain Java values (Map, List, String, Number, Boolean, null). */
    public static Map<String, Object> parseObject(String json, String source) {
        try {
            Map<String, Object> m = MAPPER.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
            if (m == null) {
                throw new InvalidParameterException(source, "null", "must be a JSON object");
            }
            return m;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new InvalidParameterException(source, "malformed JSON" + where, "must be a JSON object: " + e.getOriginalMessage());
        }
    }

    /** Reads a JSON object from a file. */
    public static Map<String, Object> readObject(Path file) {
        try {
            return parseObject(Files.readString(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new InvalidParameterException("file", file.toString(), "does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + IoErrors.describe(e), e);
        }
    }

    /** Pretty-printed JSON text of {@code value}. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Writes {@code value} as JSON, atomically (a temporary file moved into place). */
    public static void write(Object value, Path file) {
        AtomicFiles.writeString(file, write(value));
    }
}
