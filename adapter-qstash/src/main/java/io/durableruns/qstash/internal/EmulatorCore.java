package io.durableruns.qstash.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.durableruns.qstash.QStashSigner;
import io.durableruns.qstash.internal.EmulatedMessage.State;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulator's queue: accepts messages, deduplicates them, delivers them signed like QStash, retries with
 * QStash's backoff (or the message's retry-delay expression, or the answer's {@code Retry-After}), and
 * dead-letters them with a failure callback when the retries run out or the endpoint answers 489 with
 * {@code Upstash-NonRetryable-Error: true}.
 */
public final class EmulatorCore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmulatorCore.class);
    private static final int MAX_STORED_ANSWER_BYTES = 64 * 1024;
    private static final Duration RANDOM_ORDER_WINDOW = Duration.ofMillis(50);
    private static final char[] ID_CHARS = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".toCharArray();

    private final EmulatorSettings settings;
    private final QStashSigner signer;
    private final HttpClient client;
    private final ExecutorService clientExecutor;
    private final DeliveryScheduler scheduler;
    private final Random random;
    private final SecureRandom ids = new SecureRandom();

    private final Map<String, EmulatedMessage> pending = new ConcurrentHashMap<>();
    private final LinkedHashMap<String, Dedup> dedup = new LinkedHashMap<>();
    private final LinkedHashMap<String, ObjectNode> dlq = new LinkedHashMap<>();
    private final AtomicLong dlqSequence = new AtomicLong();
    private final AtomicInteger busy = new AtomicInteger();
    private final Object idle = new Object();

    private final AtomicLong published = new AtomicLong();
    private final AtomicLong deduplicated = new AtomicLong();
    private final AtomicLong deliveries = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong failedPublishes = new AtomicLong();

    public EmulatorCore(EmulatorSettings settings) {
        this.settings = settings;
        this.signer = new QStashSigner(settings.currentSigningKey(), settings.clock());
        this.random = new Random(settings.seed());
        AtomicInteger n = new AtomicInteger();
        this.clientExecutor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "qstash-emulator-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(clientExecutor)
                .build();
        this.scheduler = new DeliveryScheduler(settings.deliveryThreads(), settings.randomOrder(), random);
    }

    /** The outcome of one accepted publish. */
    public record Accepted(String messageId, String url, boolean deduplicated) {}

    /** Counters since start. */
    public record Counters(
            long published,
            long deduplicated,
            long deliveries,
            long delivered,
            long deadLettered,
            long failedPublishes,
            int pending) {}

    /** Whether fault injection fails this publish request (answered 500, nothing enqueued). */
    public boolean injectPublishFailure() {
        if (settings.failPublishFraction() <= 0) {
            return false;
        }
        boolean fail;
        synchronized (random) {
            fail = random.nextDouble() < settings.failPublishFraction();
        }
        if (fail) {
            failedPublishes.incrementAndGet();
        }
        return fail;
    }

    /**
     * Accepts a batch of messages as one unit: all are enqueued (or deduplicated), or none when the queue is
     * full.
     *
     * @throws QueueFullException when the queue cannot take the messages
     */
    public List<Accepted> publish(List<PublishSpec> specs, String callerIp) {
        synchronized (dedup) {
            if (pending.size() + specs.size() > settings.maxPendingMessages()) {
                throw new QueueFullException(settings.maxPendingMessages());
            }
            long now = System.nanoTime();
            purgeDedup(now);
            List<Accepted> result = new ArrayList<>();
            for (PublishSpec spec : specs) {
                if (spec.deduplicationId() != null) {
                    Dedup seen = dedup.get(spec.deduplicationId());
                    if (seen != null) {
                        deduplicated.incrementAndGet();
                        result.add(new Accepted(seen.messageId, spec.destination(), true));
                        continue;
                    }
                }
                EmulatedMessage m = enqueue(spec, callerIp, false);
                if (spec.deduplicationId() != null) {
                    dedup.put(
                            spec.deduplicationId(),
                            new Dedup(m.id, now + settings.dedupWindow().toNanos()));
                }
                published.incrementAndGet();
                result.add(new Accepted(m.id, spec.destination(), false));
            }
            return result;
        }
    }

    private void purgeDedup(long now) {
        Iterator<Dedup> it = dedup.values().iterator();
        while (it.hasNext()) {
            if (it.next().expiresNanos - now <= 0) {
                it.remove();
            } else {
                return;
            }
        }
    }

    private EmulatedMessage enqueue(PublishSpec spec, String callerIp, boolean callback) {
        long nowMillis = settings.clock().millis();
        long waitMillis = 0;
        long notBefore = nowMillis;
        if (spec.notBeforeSeconds() != null) {
            notBefore = spec.notBeforeSeconds() * 1000;
            waitMillis = Math.max(0, notBefore - nowMillis);
        } else if (spec.delay() != null) {
            waitMillis = spec.delay().toMillis();
            notBefore = nowMillis + waitMillis;
        }
        long wait = settings.scaledNanos(Duration.ofMillis(waitMillis));
        if (settings.randomOrder()) {
            synchronized (random) {
                wait += (long) (random.nextDouble() * RANDOM_ORDER_WINDOW.toNanos());
            }
        }
        EmulatedMessage m = new EmulatedMessage("msg_" + randomId(26), spec, nowMillis, notBefore, callerIp, callback);
        pending.put(m.id, m);
        busy.incrementAndGet();
        schedule(m, wait, false);
        return m;
    }

    private void schedule(EmulatedMessage m, long waitNanos, boolean duplicate) {
        long due = System.nanoTime() + waitNanos + settings.deliveryDelay().toNanos();
        if (duplicate) {
            busy.incrementAndGet();
        }
        scheduler.schedule(due, () -> deliver(m, duplicate));
    }

    private void deliver(EmulatedMessage m, boolean duplicate) {
        if (duplicate) {
            try {
                if (m.state() != State.CANCELLED) {
                    send(m, m.retried());
                }
            } finally {
                settle();
            }
            return;
        }
        if (m.state() != State.PENDING) {
            return;
        }
        int retried = m.retried();
        boolean duplicateAfter = false;
        if (settings.duplicateDeliveries() && m.takeDuplicate()) {
            boolean concurrent;
            synchronized (random) {
                concurrent = random.nextBoolean();
            }
            if (concurrent) {
                schedule(m, 0, true);
            } else {
                duplicateAfter = true;
            }
        }
        boolean finished = true;
        try {
            finished = handle(m, retried, send(m, retried));
        } finally {
            if (duplicateAfter) {
                schedule(m, 0, true);
            }
            if (finished) {
                settle();
            }
        }
    }

    private void settle() {
        if (busy.decrementAndGet() <= 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    private Answer send(EmulatedMessage m, int retried) {
        deliveries.incrementAndGet();
        PublishSpec spec = m.spec;
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(spec.destination()));
        } catch (IllegalArgumentException e) {
            return Answer.failure("invalid destination: " + e.getMessage());
        }
        request.timeout(spec.timeout() != null ? spec.timeout() : settings.deliveryTimeout());
        HttpRequest.BodyPublisher body = spec.body().length == 0
                        && (spec.method().equals("GET") || spec.method().equals("HEAD"))
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(spec.body());
        request.method(spec.method(), body);
        spec.forwardHeaders().forEach((k, v) -> setHeader(request, k, v));
        if (spec.contentType() != null) {
            setHeader(request, "Content-Type", spec.contentType());
        }
        setHeader(request, "User-Agent", "Upstash-QStash");
        setHeader(request, "Upstash-Message-Id", m.id);
        setHeader(request, "Upstash-Retried", Integer.toString(retried));
        setHeader(request, "Upstash-Caller-Ip", m.callerIp);
        setHeader(request, "Upstash-Signature", signer.sign(spec.destination(), spec.body()));
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            byte[] answer = response.body();
            if (answer.length > MAX_STORED_ANSWER_BYTES) {
                answer = Arrays.copyOf(answer, MAX_STORED_ANSWER_BYTES);
            }
            return new Answer(response.statusCode(), response.headers().map(), answer);
        } catch (IOException | IllegalArgumentException e) {
            // IllegalArgumentException: a request the client refuses to send, such as a port out of range
            return Answer.failure(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.failure("the emulator is shutting down");
        }
    }

    private static void setHeader(HttpRequest.Builder request, String name, String value) {
        try {
            request.setHeader(name, value);
        } catch (IllegalArgumentException e) {
            LOG.debug("Header {} cannot be sent by the JDK HTTP client; skipped", name);
        }
    }

    /** @return whether this answer finished the message (delivered or dead-lettered) */
    private boolean handle(EmulatedMessage m, int retried, Answer answer) {
        PublishSpec spec = m.spec;
        boolean success = answer.status / 100 == 2;
        if (spec.callback() != null && !m.callback) {
            enqueueCallback(m, spec.callback(), spec.callbackForwardHeaders(), answer, retried, null);
        }
        if (success) {
            if (m.finish(State.DELIVERED)) {
                pending.remove(m.id);
                delivered.incrementAndGet();
                return true;
            }
            return false;
        }
        boolean nonRetryable =
                answer.status == 489 && "true".equalsIgnoreCase(answer.header("Upstash-NonRetryable-Error"));
        if (nonRetryable || retried >= spec.maxRetries()) {
            return deadLetter(m, retried, answer);
        }
        if (m.state() != State.PENDING) {
            return false;
        }
        Duration wait = nextDelay(spec, retried, answer);
        m.retriedOnceMore();
        LOG.debug(
                "Message {} to {} answered {}; retry {} in {} (unscaled)",
                m.id,
                spec.destination(),
                answer.status,
                retried + 1,
                wait);
        schedule(m, settings.scaledNanos(wait), false);
        return false;
    }

    /** The wait before retry {@code retried + 1}: Retry-After, else the message's expression, else QStash's backoff. */
    Duration nextDelay(PublishSpec spec, int retried, Answer answer) {
        Optional<Duration> retryAfter = QStashDurations.retryAfter(
                answer.header("Retry-After"), settings.clock().instant());
        if (retryAfter.isPresent()) {
            return retryAfter.get();
        }
        if (spec.retryDelay() != null) {
            return Duration.ofMillis(spec.retryDelay().delayMillis(retried));
        }
        return defaultBackoff(retried + 1);
    }

    /** QStash's default backoff before retry {@code n} (1, 2, ...): {@code min(86400, e^(2.5 n))} seconds. */
    public static Duration defaultBackoff(int n) {
        double seconds = Math.min(86_400, Math.exp(2.5 * n));
        return Duration.ofMillis((long) (seconds * 1000));
    }

    private boolean deadLetter(EmulatedMessage m, int retried, Answer answer) {
        if (!m.finish(State.DEAD)) {
            return false;
        }
        pending.remove(m.id);
        deadLettered.incrementAndGet();
        String dlqId = settings.clock().millis() + "-" + dlqSequence.getAndIncrement();
        ObjectNode entry = m.toJson();
        entry.put("dlqId", dlqId);
        entry.put("retried", retried);
        entry.put("responseStatus", answer.status);
        EmulatedMessage.putHeaders(entry, "responseHeader", answer.headers);
        EmulatedMessage.putBody(entry, "responseBody", "responseBodyBase64", answer.body);
        synchronized (dlq) {
            dlq.put(dlqId, entry);
            while (dlq.size() > settings.maxDlqMessages()) {
                Iterator<String> it = dlq.keySet().iterator();
                it.next();
                it.remove();
            }
        }
        LOG.info(
                "Message {} to {} moved to the DLQ after {} retries (last answer {})",
                m.id,
                m.spec.destination(),
                retried,
                answer.status == 0 ? answer.error() : Integer.toString(answer.status));
        if (m.spec.failureCallback() != null && !m.callback) {
            enqueueCallback(
                    m, m.spec.failureCallback(), m.spec.failureCallbackForwardHeaders(), answer, retried, dlqId);
        }
        return true;
    }

    private void enqueueCallback(
            EmulatedMessage m, String url, Map<String, String> forward, Answer answer, int retried, String dlqId) {
        ObjectNode payload = Json.object();
        payload.put("status", answer.status);
        EmulatedMessage.putHeaders(payload, "header", answer.headers);
        payload.put("body", Base64.getEncoder().encodeToString(answer.body));
        payload.put("retried", retried);
        payload.put("maxRetries", m.spec.maxRetries());
        if (dlqId != null) {
            payload.put("dlqId", dlqId);
        }
        payload.put("sourceMessageId", m.id);
        payload.put("url", m.spec.destination());
        payload.put("method", m.spec.method());
        ObjectNode sourceHeader = payload.putObject("sourceHeader");
        m.spec.sourceHeaders().forEach((k, v) -> sourceHeader.putArray(k).add(v));
        payload.put("sourceBody", Base64.getEncoder().encodeToString(m.spec.body()));
        payload.put("notBefore", m.notBeforeMillis);
        payload.put("createdAt", m.createdAtMillis);
        payload.put("callerIP", m.callerIp);
        byte[] bytes;
        try {
            bytes = Json.MAPPER.writeValueAsBytes(payload);
        } catch (IOException e) {
            throw new IllegalStateException("serialising a callback failed, which indicates a bug", e);
        }
        PublishSpec spec = PublishSpec.internal(url, forward, m.spec.maxRetries(), m.spec.retryDelay(), bytes);
        synchronized (dedup) {
            enqueue(spec, m.callerIp, true);
        }
    }

    /** A pending message, as {@code GET /v2/messages/{id}} shows it. */
    public Optional<ObjectNode> message(String id) {
        EmulatedMessage m = pending.get(id);
        return m == null ? Optional.empty() : Optional.of(m.toJson());
    }

    /** Cancels a pending message; false when there is none with this id. */
    public boolean cancel(String id) {
        EmulatedMessage m = pending.get(id);
        if (m == null || !m.finish(State.CANCELLED)) {
            return false;
        }
        pending.remove(id);
        settle();
        return true;
    }

    public List<ObjectNode> dlq() {
        synchronized (dlq) {
            return new ArrayList<>(dlq.values());
        }
    }

    public Optional<ObjectNode> dlqMessage(String dlqId) {
        synchronized (dlq) {
            return Optional.ofNullable(dlq.get(dlqId));
        }
    }

    public boolean deleteDlqMessage(String dlqId) {
        synchronized (dlq) {
            return dlq.remove(dlqId) != null;
        }
    }

    public Counters counters() {
        return new Counters(
                published.get(),
                deduplicated.get(),
                deliveries.get(),
                delivered.get(),
                deadLettered.get(),
                failedPublishes.get(),
                pending.size());
    }

    /** Waits until no message is pending and no delivery is in flight. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (busy.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
            return true;
        }
    }

    private String randomId(int length) {
        char[] c = new char[length];
        for (int i = 0; i < length; i++) {
            c[i] = ID_CHARS[ids.nextInt(ID_CHARS.length)];
        }
        return new String(c);
    }

    @Override
    public void close() {
        scheduler.close();
        clientExecutor.shutdownNow();
    }

    /** When QStash would answer 429 because the emulator's queue is full. */
    public static final class QueueFullException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        QueueFullException(int limit) {
            super("too many pending messages (the emulator holds at most " + limit + "); retry later");
        }
    }

    private record Dedup(String messageId, long expiresNanos) {}

    /** What a destination answered to one delivery; status 0 when it could not be reached. */
    record Answer(int status, Map<String, List<String>> headers, byte[] body) {
        static Answer failure(String error) {
            return new Answer(0, Map.of(), error.getBytes(StandardCharsets.UTF_8));
        }

        String header(String name) {
            return RateLimitReset.lookup(headers).apply(name);
        }

        String error() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
