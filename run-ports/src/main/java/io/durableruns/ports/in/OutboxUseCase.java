package io.durableruns.ports.in;

import io.durableruns.ports.model.OutboundStep;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The outbox of a push transport (QStash): dispatch intents are taken under a short lease in a transaction that
 * commits before the caller publishes, so no network call ever happens inside a database transaction; then the
 * caller reports what the transport said. A crash after publishing leaves the intent leased; when the lease runs
 * out it is taken and published again under the same deduplication id (the intent id).
 *
 * <pre>{@code
 * List<OutboundStep> batch = outbox.takeToPublish("relay-1", Duration.ofSeconds(30), 50);
 * // publish outside any transaction, then:
 * outbox.published(accepted);
 * outbox.publishLater(failedForNow, Instant.now().plusSeconds(2));
 * outbox.refused(rejected.intentId(), "HTTP 400: delay exceeds the plan's limit");
 * }</pre>
 */
public interface OutboxUseCase {

    /**
     * Takes up to {@code max} intents to publish, oldest first and whatever their due time (a transport that can
     * delay delivery publishes ahead), and leases them to {@code owner} for {@code lease}. Intents another owner
     * leases are skipped until the lease runs out; intents of runs that finished are deleted instead.
     */
    List<OutboundStep> takeToPublish(String owner, Duration lease, int max);

    /** The transport accepted these messages: their intents are deleted. */
    void published(Collection<String> intentIds);

    /** Publishing failed for now (the transport is down or busy): the intents are offered again at {@code at}. */
    void publishLater(Collection<String> intentIds, Instant at);

    /**
     * The transport refused the message for good (a bad header, a delay past the plan's limit): the intent is set
     * aside and, if its step still waits for that attempt, the step fails with a {@code DispatchRefused} error
     * naming {@code reason}, which fails its run; the run can be retried by hand once the cause is fixed.
     */
    void refused(String intentId, String reason);

    /** When an intent can next be taken (now, when one is free), or empty when the outbox is empty. */
    Optional<Instant> nextPublishAt();
}
