package io.asyncsql;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

/**
 * Bounded waits for futures and latches, so that a test which would otherwise hang fails
 * instead.
 */
final class Futures {

	/** Longer than any single step of a test may take on a busy machine. */
	static final Duration WAIT = Duration.ofSeconds(30);

	private Futures() {
	}

	/**
	 * Return the value of a future, failing the test if it does not complete normally
	 * within {@link #WAIT}.
	 */
	static <T> T result(CompletableFuture<T> future) {
		Throwable failure = failure(future);
		if (failure != null) {
			throw new AssertionError("expected a value but the future failed: " + failure, failure);
		}
		return future.getNow(null);
	}

	/**
	 * Return what a future failed with (the {@link CancellationException} when it was
	 * cancelled), or {@code null} when it completed with a value, failing the test if it
	 * does not complete within {@link #WAIT}.
	 */
	static @Nullable Throwable failure(CompletableFuture<?> future) {
		try {
			future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			return null;
		}
		catch (CancellationException ex) {
			return ex;
		}
		catch (ExecutionException ex) {
			return ex.getCause();
		}
		catch (TimeoutException ex) {
			throw new AssertionError("future not completed within " + WAIT, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Wait up to {@link #WAIT} for a latch to open and return whether it did; an
	 * interrupt fails unchecked, so that work given to the engine can wait too.
	 */
	static boolean await(CountDownLatch latch) {
		try {
			return latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
