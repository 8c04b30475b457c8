package dev.wakefd.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The ring's field layout as HotSpot actually laid it out: the configuration, the producer's
 * line and the consumer's line each sit at least 128 bytes (two cache lines) from one another and
 * from both ends of the object. A field that HotSpot moved into an alignment hole elsewhere (an
 * int after the object header, as happened to the producer's gate and the capacity before the
 * classes were made whole words) fails this test.
 */
class RingLayoutTest {
    private static final long APART = 128;

    record Placed(String name, long offset) {}

    @Test
    void eachGroupSitsAloneBetweenPads() throws Exception {
        List<Placed> config = offsets(RingConfig.class);
        List<Placed> producer = offsets(RingProducerLine.class);
        List<Placed> consumer = offsets(RingConsumerLine.class);
        List<Placed> consumerWait = offsets(RingConsumerWait.class);
        List<Placed> producerWait = offsets(RingProducerWait.class);
        long end = 0;
        for (Class<?> c = Ring.class; c != Object.class; c = c.getSuperclass()) {
            for (Placed p : offsets(c)) {
                end = Math.max(end, p.offset() + 8);
            }
        }
        assertThat(config).extracting(Placed::name).contains("buffer", "capacity", "mask", "resume");
        assertThat(producer).extracting(Placed::name).contains("tail", "producerLimit", "producerGate");
        assertThat(consumer).extracting(Placed::name).contains("head", "consumerGate");
        assertThat(consumerWait).extracting(Placed::name).contains("consumerWakeAt", "consumerParking");
        assertThat(producerWait).extracting(Placed::name).contains("producerWakeAt", "producerParking");
        List<List<Placed>> groups = List.of(config, producer, consumer, consumerWait, producerWait);
        for (List<Placed> group : groups) {
            for (Placed p : group) {
                assertThat(p.offset()).as("%s from the object header", p).isGreaterThanOrEqualTo(APART);
                assertThat(end - p.offset())
                        .as("%s from the object's end (%d)", p, end)
                        .isGreaterThanOrEqualTo(APART);
                for (List<Placed> other : groups) {
                    if (other == group) {
                        continue;
                    }
                    for (Placed q : other) {
                        assertThat(Math.abs(p.offset() - q.offset()))
                                .as("%s and %s", p, q)
                                .isGreaterThanOrEqualTo(APART);
                    }
                }
            }
        }
    }

    @Test
    void padsAndFillersAreTheOnlyOtherFields() throws Exception {
        Set<String> groups =
                Set.of("RingConfig", "RingProducerLine", "RingConsumerLine", "RingConsumerWait", "RingProducerWait");
        for (Class<?> c = Ring.class; c != Object.class; c = c.getSuperclass()) {
            if (groups.contains(c.getSimpleName())) {
                continue;
            }
            for (Placed p : offsets(c)) {
                assertThat(p.name())
                        .as("a field outside the padded groups, in " + c.getSimpleName())
                        .matches("[pqrstu]\\d\\d|headerHole");
            }
        }
    }

    @SuppressWarnings({"deprecation", "removal"})
    private static List<Placed> offsets(Class<?> c) throws ReflectiveOperationException {
        Field theUnsafe = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        theUnsafe.setAccessible(true);
        sun.misc.Unsafe unsafe = (sun.misc.Unsafe) theUnsafe.get(null);
        List<Placed> out = new ArrayList<>();
        for (Field f : c.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                out.add(new Placed(f.getName(), unsafe.objectFieldOffset(f)));
            }
        }
        return out;
    }
}
