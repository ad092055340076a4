package io.durableruns.qstash.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * QStash's {@code Upstash-Retry-Delay} expression: the next delay in milliseconds as an arithmetic
 * expression over {@code retried} (0 at the first retry), with {@code + - * /}, parentheses, numbers and the
 * functions {@code pow exp sqrt abs floor ceil round min max}. Example: {@code pow(2, retried) * 1000}.
 *
 * <pre>{@code
 * RetryDelayExpression e = RetryDelayExpression.parse("min(60000, 1000 * pow(2, retried))");
 * long millis = e.delayMillis(3); // 8000
 * }</pre>
 */
public final class RetryDelayExpression {
    private static final int MAX_LENGTH = 512;
    private static final int MAX_DEPTH = 32;

    private final String source;
    private final Node root;

    private RetryDelayExpression(String source, Node root) {
        this.source = source;
        this.root = root;
    }

    /** @throws IllegalArgumentException with a message saying what is wrong and where */
    public static RetryDelayExpression parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the retry delay expression is empty");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(
                    "the retry delay expression is longer than " + MAX_LENGTH + " characters");
        }
        Parser p = new Parser(text);
        Node node = p.expression(0);
        p.skipSpaces();
        if (!p.atEnd()) {
            throw p.error("unexpected '" + p.peek() + "'");
        }
        return new RetryDelayExpression(text.strip(), node);
    }

    /** The expression's value for {@code retried}. */
    public double evaluate(int retried) {
        return root.eval(retried);
    }

    /** The delay in whole milliseconds, at least 0 and at most one day. */
    public long delayMillis(int retried) {
        double v = evaluate(retried);
        if (Double.isNaN(v) || v <= 0) {
            return 0;
        }
        return (long) Math.min(v, QStashDurations.ONE_DAY.toMillis());
    }

    @Override
    public String toString() {
        return source;
    }

    @FunctionalInterface
    private interface Node {
        double eval(int retried);
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        Node expression(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nested too deeply");
            }
            Node left = term(depth);
            while (true) {
                skipSpaces();
                if (accept('+')) {
                    Node l = left;
                    Node r = term(depth);
                    left = x -> l.eval(x) + r.eval(x);
                } else if (accept('-')) {
                    Node l = left;
                    Node r = term(depth);
                    left = x -> l.eval(x) - r.eval(x);
                } else {
                    return left;
                }
            }
        }

        private Node term(int depth) {
            Node left = unary(depth);
            while (true) {
                skipSpaces();
                if (accept('*')) {
                    Node l = left;
                    Node r = unary(depth);
                    left = x -> l.eval(x) * r.eval(x);
                } else if (accept('/')) {
                    Node l = left;
                    Node r = unary(depth);
                    left = x -> l.eval(x) / r.eval(x);
                } else {
                    return left;
                }
            }
        }

        private Node unary(int depth) {
            skipSpaces();
            if (accept('-')) {
                Node n = unary(depth + 1);
                return x -> -n.eval(x);
            }
            if (accept('+')) {
                return unary(depth + 1);
            }
            return primary(depth);
        }

        private Node primary(int depth) {
            skipSpaces();
            if (atEnd()) {
                throw error("unexpected end");
            }
            char c = peek();
            if (c == '(') {
                i++;
                Node inner = expression(depth + 1);
                expect(')');
                return inner;
            }
            if (Character.isDigit(c) || c == '.') {
                return number();
            }
            if (Character.isLetter(c)) {
                String name = identifier();
                if (name.equals("retried")) {
                    return x -> x;
                }
                return call(name, depth);
            }
            throw error("unexpected '" + c + "'");
        }

        private Node number() {
            int start = i;
            while (!atEnd() && (Character.isDigit(peek()) || peek() == '.')) {
                i++;
            }
            if (!atEnd() && (peek() == 'e' || peek() == 'E')) {
                int save = i;
                i++;
                if (!atEnd() && (peek() == '+' || peek() == '-')) {
                    i++;
                }
                if (atEnd() || !Character.isDigit(peek())) {
                    i = save;
                } else {
                    while (!atEnd() && Character.isDigit(peek())) {
                        i++;
                    }
                }
            }
            double v;
            try {
                v = Double.parseDouble(s.substring(start, i));
            } catch (NumberFormatException e) {
                i = start;
                throw error("malformed number");
            }
            return x -> v;
        }

        private String identifier() {
            int start = i;
            while (!atEnd() && Character.isLetter(peek())) {
                i++;
            }
            return s.substring(start, i).toLowerCase(Locale.ROOT);
        }

        private Node call(String name, int depth) {
            int arity =
                    switch (name) {
                        case "pow" -> 2;
                        case "exp", "sqrt", "abs", "floor", "ceil", "round" -> 1;
                        case "min", "max" -> -2;
                        default ->
                            throw error("unknown name '" + name + "' (use retried, pow, exp, sqrt, abs, floor, ceil,"
                                    + " round, min, max)");
                    };
            skipSpaces();
            expect('(');
            List<Node> args = new ArrayList<>();
            skipSpaces();
            if (!accept(')')) {
                do {
                    args.add(expression(depth + 1));
                    skipSpaces();
                } while (accept(','));
                expect(')');
            }
            if (arity > 0 && args.size() != arity) {
                throw error(name + " takes " + arity + " argument" + (arity == 1 ? "" : "s") + ", got " + args.size());
            }
            if (arity < 0 && args.size() < -arity) {
                throw error(name + " takes at least 2 arguments, got " + args.size());
            }
            Node a = args.get(0);
            return switch (name) {
                case "pow" -> {
                    Node b = args.get(1);
                    yield x -> Math.pow(a.eval(x), b.eval(x));
                }
                case "exp" -> x -> Math.exp(a.eval(x));
                case "sqrt" -> x -> Math.sqrt(a.eval(x));
                case "abs" -> x -> Math.abs(a.eval(x));
                case "floor" -> x -> Math.floor(a.eval(x));
                case "ceil" -> x -> Math.ceil(a.eval(x));
                case "round" -> x -> (double) Math.round(a.eval(x));
                case "min" -> fold(args, true);
                default -> fold(args, false);
            };
        }

        private static Node fold(List<Node> args, boolean min) {
            Node[] nodes = args.toArray(new Node[0]);
            return x -> {
                double r = nodes[0].eval(x);
                for (int k = 1; k < nodes.length; k++) {
                    double v = nodes[k].eval(x);
                    r = min ? Math.min(r, v) : Math.max(r, v);
                }
                return r;
            };
        }

        void skipSpaces() {
            while (!atEnd() && Character.isWhitespace(peek())) {
                i++;
            }
        }

        private boolean accept(char c) {
            if (!atEnd() && peek() == c) {
                i++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            skipSpaces();
            if (!accept(c)) {
                throw error(
                        atEnd() ? "expected '" + c + "' at the end" : "expected '" + c + "', found '" + peek() + "'");
            }
        }

        boolean atEnd() {
            return i >= s.length();
        }

        char peek() {
            return s.charAt(i);
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException(
                    "invalid retry delay expression '" + s + "': " + what + " at position " + i);
        }
    }
}
