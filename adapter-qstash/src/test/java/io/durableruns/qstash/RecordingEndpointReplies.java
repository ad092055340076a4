package io.durableruns.qstash;

import io.durableruns.qstash.RecordingEndpoint.Reply;
import io.durableruns.qstash.RecordingEndpoint.Request;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Answers of a stand-in QStash that accepts everything. */
final class RecordingEndpointReplies {
    private static final AtomicInteger IDS = new AtomicInteger();

    private RecordingEndpointReplies() {}

    static Reply accepted(Request request) {
        if (request.path().equals("/v2/batch")) {
            try {
                int n = EmulatorClient.JSON.readTree(request.body()).size();
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < n; i++) {
                    sb.append(i == 0 ? "" : ",")
                            .append("{\"messageId\":\"msg_")
                            .append(IDS.incrementAndGet())
                            .append("\"}");
                }
                return new Reply(
                        200,
                        Map.of("Content-Type", "application/json"),
                        sb.append("]").toString());
            } catch (java.io.IOException e) {
                return Reply.status(400);
            }
        }
        return new Reply(
                201,
                Map.of("Content-Type", "application/json"),
                "{\"messageId\":\"msg_" + IDS.incrementAndGet() + "\"}");
    }
}
