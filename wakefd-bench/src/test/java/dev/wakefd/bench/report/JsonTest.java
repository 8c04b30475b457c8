package dev.wakefd.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void readsNestedValuesAsJmhWritesThem() {
        Object v = Json.parse("""
                [ { "benchmark" : "a.B.c", "params" : {}, "primaryMetric" : {
                    "score" : 1.5E-1, "scoreError" : "NaN", "ok" : true, "none" : null,
                    "raw" : [ [ 1, -2.5 ] ], "s" : "q\\"\\\\\\n\\u00e9" } } ]
                """);
        Map<String, Object> r = Json.object(Json.array(v).get(0));
        Map<String, Object> m = Json.object(r.get("primaryMetric"));
        assertThat(r.get("benchmark")).isEqualTo("a.B.c");
        assertThat(Json.object(r.get("params"))).isEmpty();
        assertThat(Json.number(m.get("score"))).isEqualTo(0.15);
        assertThat(Json.number(m.get("scoreError"))).isNaN();
        assertThat(m.get("ok")).isEqualTo(Boolean.TRUE);
        assertThat(m).containsKey("none");
        assertThat(m.get("none")).isNull();
        assertThat(m.get("raw")).isEqualTo(List.of(List.of(1.0, -2.5)));
        assertThat(m.get("s")).isEqualTo("q\"\\\n\u00e9");
    }

    @Test
    void numberOfSomethingElseIsNaN() {
        assertThat(Json.number(null)).isNaN();
        assertThat(Json.number("fast")).isNaN();
        assertThat(Json.number(Boolean.TRUE)).isNaN();
        assertThat(Json.number("Infinity")).isInfinite();
    }

    @Test
    void malformedInputNamesTheProblemAndOffset() {
        assertThatThrownBy(() -> Json.parse("{\"a\": 1,}")).hasMessage("JSON: expected a key at offset 8");
        assertThatThrownBy(() -> Json.parse("[1 2]")).hasMessage("JSON: expected ',' or ']' at offset 4");
        assertThatThrownBy(() -> Json.parse("{\"a\" 1}")).hasMessage("JSON: expected ':' at offset 5");
        assertThatThrownBy(() -> Json.parse("[1] x")).hasMessage("JSON: trailing characters at offset 4");
        assertThatThrownBy(() -> Json.parse("\"abc")).hasMessage("JSON: unexpected end at offset 4");
        assertThatThrownBy(() -> Json.parse("")).hasMessage("JSON: unexpected end at offset 0");
        assertThatThrownBy(() -> Json.parse("[tru]")).hasMessage("JSON: expected true at offset 1");
        assertThatThrownBy(() -> Json.parse("\"\\x\"")).hasMessage("JSON: bad escape \\x at offset 3");
    }
}
