package io.durableruns.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.core.testkit.SequentialIds;
import io.durableruns.core.testkit.SettableClock;
import io.durableruns.ports.model.Ids;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UlidGeneratorTest {
    @Test
    void ids_have_the_run_id_shape_are_unique_and_sort_by_time() {
        SettableClock clock = new SettableClock();
        UlidGenerator ids = new UlidGenerator(clock);
        Set<String> seen = new HashSet<>();
        String previous = ids.newId("run");
        for (int i = 0; i < 1000; i++) {
            clock.advance(Duration.ofMillis(1));
            String id = ids.newId("run");
            assertThat(Ids.isRunId(id)).as(id).isTrue();
            assertThat(id.compareTo(previous)).isPositive();
            assertThat(seen.add(id)).isTrue();
            previous = id;
        }
    }

    @Test
    void sequential_test_ids_have_the_same_shape() {
        SequentialIds ids = new SequentialIds();
        assertThat(ids.newId("run")).isEqualTo("run_00000000000000000000000001");
        assertThat(Ids.isRunId(ids.newId("run"))).isTrue();
        assertThat(ids.newId("int")).matches("int_[0-9a-z]{26}");
    }
}
