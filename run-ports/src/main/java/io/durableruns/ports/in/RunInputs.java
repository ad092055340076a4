package io.durableruns.ports.in;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.ports.InvalidRequestException;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;

/**
 * Checks that a run input reads back as what was given: every number finite, within the range of a double
 * unless it is an integer, and short enough for a JSON parser, and the tree no deeper than a parser accepts.
 * A store writes the input as JSON text and reads it back with a default parser; without this check a NaN
 * breaks the request hash, {@code 1E+400} reads back as infinity on one store and exactly on another, and a
 * number of 1,001 digits is stored but can never be read again.
 */
final class RunInputs {
    private static final BigDecimal LARGEST_DECIMAL = new BigDecimal(Double.MAX_VALUE);
    private static final int SHOWN_PATH_LENGTH = 100;

    private RunInputs() {}

    /** A private copy of {@code input} once every node passed the checks. */
    static JsonNode checked(JsonNode input) {
        int maxDigits = StreamReadConstraints.defaults().getMaxNumberLength();
        int maxDepth = StreamReadConstraints.defaults().getMaxNestingDepth();
        Deque<Node> pending = new ArrayDeque<>();
        pending.push(new Node(input, null, null, input.isContainerNode() ? 1 : 0));
        while (!pending.isEmpty()) {
            Node node = pending.pop();
            JsonNode value = node.value();
            if (node.depth() > maxDepth) {
                throw invalid("is nested more than " + maxDepth + " levels deep", node);
            }
            if (value.isNumber()) {
                checkNumber(node, maxDigits);
            } else if (value.isObject()) {
                for (Map.Entry<String, JsonNode> e : value.properties()) {
                    pending.push(child(node, escape(e.getKey()), e.getValue()));
                }
            } else if (value.isArray()) {
                int index = 0;
                for (Iterator<JsonNode> items = value.elements(); items.hasNext(); index++) {
                    pending.push(child(node, Integer.toString(index), items.next()));
                }
            }
        }
        return input.deepCopy();
    }

    private static void checkNumber(Node node, int maxDigits) {
        JsonNode value = node.value();
        if (value.isFloat() || value.isDouble()) {
            if (!Double.isFinite(value.doubleValue())) {
                throw outOfRange(node);
            }
        } else if (value.isBigDecimal()) {
            BigDecimal decimal = value.decimalValue();
            if (decimal.abs().compareTo(LARGEST_DECIMAL) > 0) {
                throw outOfRange(node);
            }
            if (digits(decimal) > maxDigits) {
                throw tooLong(node, maxDigits);
            }
        } else if (value.isBigInteger() && digits(new BigDecimal(value.bigIntegerValue())) > maxDigits) {
            throw tooLong(node, maxDigits);
        }
    }

    /** The digits of the plain decimal form, a lone leading zero not counted ({@code 0.05} has 2). */
    private static long digits(BigDecimal d) {
        long precision = d.precision();
        long scale = d.scale();
        return scale > 0 ? Math.max(precision, scale) : precision - scale;
    }

    private static InvalidRequestException outOfRange(Node node) {
        return invalid(
                "has a number that is not finite or too large: a number with a fraction or an exponent must be"
                        + " finite and at most " + Double.MAX_VALUE + " in magnitude; send other values as strings",
                node);
    }

    private static InvalidRequestException tooLong(Node node, int maxDigits) {
        return invalid("has a number of more than " + maxDigits + " digits; send it as a string", node);
    }

    private static InvalidRequestException invalid(String problem, Node node) {
        return new InvalidRequestException("'input' " + problem + " (at " + node.path() + ")");
    }

    private static Node child(Node parent, String segment, JsonNode value) {
        return new Node(value, parent, segment, parent.depth() + (value.isContainerNode() ? 1 : 0));
    }

    /** A JSON Pointer segment: {@code ~} and {@code /} escaped as RFC 6901 says. */
    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    /** A node still to check, with the way to it for the error message. */
    private record Node(JsonNode value, Node parent, String segment, int depth) {
        String path() {
            if (parent == null) {
                return "the top level";
            }
            StringBuilder sb = new StringBuilder();
            for (Node n = this; n.parent() != null; n = n.parent()) {
                sb.insert(0, "/" + n.segment());
            }
            return sb.length() <= SHOWN_PATH_LENGTH ? sb.toString() : sb.substring(0, SHOWN_PATH_LENGTH) + "…";
        }
    }
}
