package io.durableruns.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
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
}
