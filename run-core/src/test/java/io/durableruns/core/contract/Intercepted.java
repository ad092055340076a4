package io.durableruns.core.contract;

import io.durableruns.ports.out.RunStore;
import io.durableruns.ports.out.StoreTransaction;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.UnaryOperator;

/**
 * Steps into a store's transactions, for tests that need another transaction to happen at an exact point of this
 * one: a store whose transactions go through a wrapper, and a port object with one method wrapped.
 *
 * <pre>{@code
 * RunStore pausing = Intercepted.store(store, tx -> Intercepted.method(StoreTransaction.class, tx, "steps",
 *         steps -> Intercepted.method(StepRepository.class, (StepRepository) steps.proceed(), "findByRun",
 *                 read -> { Object found = read.proceed(); pause.stop(); return found; })));
 * }</pre>
 */
public final class Intercepted {
    private Intercepted() {}

    /** The call being wrapped: {@link #proceed} makes it on the wrapped object. */
    @FunctionalInterface
    public interface Call {
        Object proceed() throws Throwable;
    }

    /** What runs instead of a wrapped call. */
    @FunctionalInterface
    public interface Around {
        Object invoke(Call call) throws Throwable;
    }

    /** {@code store} with every transaction, reads included, passed through {@code wrap} first. */
    public static RunStore store(RunStore store, UnaryOperator<StoreTransaction> wrap) {
        return new RunStore() {
            @Override
            public <R> R inTransaction(TransactionWork<R> work) {
                return store.inTransaction(tx -> work.apply(wrap.apply(tx)));
            }

            @Override
            public <R> R read(TransactionWork<R> work) {
                return store.read(tx -> work.apply(wrap.apply(tx)));
            }
        };
    }

    /** {@code target} with its calls of the method named {@code name} going through {@code around}. */
    public static <T> T method(Class<T> type, T target, String name, Around around) {
        if (java.util.Arrays.stream(type.getMethods())
                .noneMatch(m -> m.getName().equals(name))) {
            throw new IllegalArgumentException(type.getSimpleName() + " has no method " + name);
        }
        Object proxy = Proxy.newProxyInstance(
                type.getClassLoader(),
                new Class<?>[] {type},
                (self, method, args) -> method.getName().equals(name)
                        ? around.invoke(() -> forward(target, method, args))
                        : forward(target, method, args));
        return type.cast(proxy);
    }

    private static Object forward(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
