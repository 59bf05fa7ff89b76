package org.ddpm4j.backend.tf;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;

/**
 * The JSON of SavedModel cards, through Jackson (the project's JSON library, as in ddpm-core, which
 * a plugin may not depend on): maps, lists, strings, numbers, booleans and null, with the file,
 * line and column of malformed input.
 */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private Json() {
    }

    /** Parses a JSON object; {@code source} names the file in errors. */
    static Map<String, Object> parseObject(String text, String source) {
        try {
            Map<String, Object> value = MAPPER.readValue(text, new TypeReference<LinkedHashMap<String, Object>>() { });
            if (value == null) {
                throw new InvalidParameterException("file", source, "must hold a JSON object, not null");
            }
            return value;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new InvalidParameterException("file", source, "malformed JSON" + where + ": " + e.getOriginalMessage());
        }
    }

    /** Pretty JSON text of maps, lists, strings, numbers, booleans and null. */
    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }
}
