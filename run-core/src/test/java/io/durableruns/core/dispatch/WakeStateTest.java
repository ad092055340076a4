package io.durableruns.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.ports.out.DispatchTransport.Task;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** When the dispatcher's fetcher claims, and how much. The poll is an hour here: it never decides. */
class WakeStateTest {
    private final WakeState wake = new WakeState(3, Duration.ofHours(1));

    private WakeState.Grant next() throws Exception {
        return CompletableFuture.supplyAsync(() -> {
                    try {
                        return wake.awaitGrant(2);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .get(30, TimeUnit.SECONDS);
    }

    @Test
    void the_first_claim_happens_at_once_and_looks_up_the_next_due_time() throws Exception {
        WakeState.Grant first = next();
        assertThat(first.slots()).isEqualTo(2);
        assertThat(first.lookUpNextDue()).isTrue();
    }

    @Test
    void an_in_process_signal_claims_for_the_free_workers_without_a_lookup() throws Exception {
        WakeState.Grant first = next();
        wake.claimed(first, 1);
        wake.intentsDue(Instant.now().minusMillis(1));
        WakeState.Grant second = next();
        assertThat(second.slots()).isEqualTo(2);
        assertThat(second.lookUpNextDue()).isFalse();
    }

    @Test
    void a_full_claim_claims_again_and_carries_a_pending_lookup_over() throws Exception {
        WakeState.Grant first = next();
        wake.claimed(first, 0);
        wake.intentsDue(Instant.now());
        WakeState.Grant signalled = next();
        wake.claimed(signalled, signalled.slots());
        WakeState.Grant again = next();
        assertThat(again.slots()).isEqualTo(1);
        assertThat(again.lookUpNextDue()).isFalse();

        wake.claimed(again, 0);
        wake.intentsUnknown();
        WakeState.Grant foreign = next();
        assertThat(foreign.lookUpNextDue()).isTrue();
        wake.claimed(foreign, foreign.slots());
        wake.workerIdle();
        assertThat(next().lookUpNextDue()).isTrue();
    }

    @Test
    void with_every_worker_busy_a_signal_waits_for_a_worker_to_finish() throws Exception {
        WakeState.Grant first = next();
        wake.claimed(first, 2);
        WakeState.Grant second = next();
        wake.claimed(second, 1);
        wake.intentsDue(Instant.now());
        CompletableFuture<WakeState.Grant> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return wake.awaitGrant(2);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        wake.workerIdle();
        assertThat(waiting.get(30, TimeUnit.SECONDS).slots()).isEqualTo(1);
    }

    @Test
    void a_timer_claims_when_an_intent_due_later_comes_due() throws Exception {
        wake.claimed(next(), 0);
        wake.intentsDue(Instant.now().plusMillis(50));
        WakeState.Grant timed = next();
        assertThat(timed.lookUpNextDue()).isTrue();
    }

    @Test
    void a_stopped_state_grants_nothing() throws Exception {
        wake.claimed(next(), 0);
        wake.stop();
        assertThat(next()).isNull();
    }

    /** A task that only has a name. */
    private record Named(String name) implements Task {
        @Override
        public Optional<Task> run() {
            return Optional.empty();
        }

        @Override
        public void giveBack() {}
    }

    private static List<Task> tasks(String... names) {
        List<Task> out = new ArrayList<>();
        for (String n : names) {
            out.add(new Named(n));
        }
        return out;
    }

    @Test
    void tasks_claimed_beyond_a_workers_own_go_to_idle_workers_then_wait_within_the_prefetch() throws Exception {
        Queue<Task> handoff = new ConcurrentLinkedQueue<>();
        WakeState prefetching = new WakeState(2, Duration.ofHours(1), 3, handoff);
        WakeState.Grant both = prefetching.awaitGrant(2);
        prefetching.claimed(both, 1); // one worker busy, one idle

        int room = prefetching.reserveBeyond(5);
        assertThat(room).as("no more than the prefetch").isEqualTo(3);
        assertThat(prefetching.reserveBeyond(1)).as("all of it reserved").isZero();
        assertThat(prefetching.claimedBeyond(room, tasks("a", "b"))).isEmpty();
        assertThat(handoff).as("the idle worker takes the first at once").containsExactly(new Named("a"));
        assertThat(prefetching.reserveBeyond(5))
                .as("one waits; the unused reservation is free again")
                .isEqualTo(2);
        prefetching.claimedBeyond(2, List.of());

        handoff.clear();
        prefetching.workerIdle();
        assertThat(handoff).as("a worker that finishes takes what waits").containsExactly(new Named("b"));
        prefetching.claimedBeyond(prefetching.reserveBeyond(2), tasks("c", "d"));
        assertThat(prefetching.takeHeld())
                .as("a commit that readied nothing takes the first")
                .isEqualTo(new Named("c"));
        assertThat(prefetching.takeHeld()).isEqualTo(new Named("d"));
        assertThat(prefetching.takeHeld()).as("nothing waits: from the queue").isNull();

        // Nothing is kept once stopped; what waited is drained.
        prefetching.claimedBeyond(prefetching.reserveBeyond(1), tasks("e"));
        assertThat(prefetching.drainHeld()).containsExactly(new Named("e"));
        prefetching.stop();
        assertThat(prefetching.claimedBeyond(prefetching.reserveBeyond(1), tasks("f")))
                .containsExactly(new Named("f"));
    }
}
