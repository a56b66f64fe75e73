package io.asyncsql.benchmarks;

import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Small helpers between blocking calls and futures.
 */
final class Futures {

	private Futures() {
	}

	/**
	 * Run a blocking call on this thread and return its outcome as a completed future.
	 */
	static <T> CompletableFuture<T> call(Callable<T> call) {
		try {
			return CompletableFuture.completedFuture(call.call());
		}
		catch (Exception ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * Start an operation; one that throws instead of returning a future counts as a
	 * failed operation.
	 */
	static CompletableFuture<?> start(Supplier<? extends CompletableFuture<?>> operation) {
		try {
			return operation.get();
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * Wait for a future and return why it failed, or {@code null} when it succeeded.
	 */
	static Throwable failureOf(CompletableFuture<?> future) {
		try {
			future.join();
			return null;
		}
		catch (CompletionException | CancellationException ex) {
			return unwrap(ex);
		}
	}

	/**
	 * Return the cause a {@link CompletionException} wraps, or the failure itself.
	 */
	static Throwable unwrap(Throwable failure) {
		return (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause() : failure;
	}

}
