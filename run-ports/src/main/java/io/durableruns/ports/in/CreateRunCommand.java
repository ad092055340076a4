package io.durableruns.ports.in;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.durableruns.ports.InvalidRequestException;
import io.durableruns.ports.model.Ids;

/**
 * A request to start a run of a registered graph.
 *
 * <p>The command keeps its own copy of the input, checked to read back from any store as it was given:
 * numbers are finite, a number with a fraction or an exponent is at most {@link Double#MAX_VALUE} in
 * magnitude, no number has more than 1,000 digits and the tree is at most 1,000 levels deep (the default
 * limits of Jackson's parser). Anything else is refused with an {@link InvalidRequestException} that names
 * the offending node, such as {@code 'input' has a number that is not finite or too large … (at /x)}: send
 * such values as strings.
 *
 * @param graph the graph name
 * @param version the graph version, or {@code null} for the newest registered version
 * @param input the run input (an empty object when {@code null})
 * @param idempotencyKey an optional key: the same key with the same request returns the same run
 */
public record CreateRunCommand(String graph, Integer version, JsonNode input, String idempotencyKey) {
    /** The longest idempotency key accepted. */
    public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;

    public CreateRunCommand {
        if (graph == null || graph.isBlank()) {
            throw new InvalidRequestException("'graph' is required");
        }
        if (!Ids.isName(graph)) {
            throw new InvalidRequestException("'graph' must match " + Ids.NAME.pattern() + " (at most "
                    + Ids.MAX_NAME_LENGTH + " characters), was '" + graph + "'");
        }
        if (version != null && version < 1) {
            throw new InvalidRequestException("'version' must be a positive integer, was " + version);
        }
        input = input == null || input.isNull() ? JsonNodeFactory.instance.objectNode() : RunInputs.checked(input);
        if (idempotencyKey != null) {
            if (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
                throw new InvalidRequestException(
                        "the idempotency key must be 1 to " + MAX_IDEMPOTENCY_KEY_LENGTH + " characters");
            }
        }
    }

    public static CreateRunCommand of(String graph, JsonNode input) {
        return new CreateRunCommand(graph, null, input, null);
    }
}
