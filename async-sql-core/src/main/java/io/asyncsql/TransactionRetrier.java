package io.asyncsql;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryState;
import org.springframework.core.retry.Retryable;
import org.springframework.util.backoff.BackOffExecution;

/**
 * Runs a whole transaction again, by a Spring {@link RetryPolicy}, while it fails in a
 * way the policy retries. {@link org.springframework.core.retry.RetryTemplate} sleeps
 * between attempts; here the next attempt is scheduled on the engine's timer instead, so
 * no engine or caller thread waits for the back-off.
 * <p>
 * Each attempt is a new transaction on a new connection: statements inside one are never
 * retried. The result fails with the last attempt's failure, the earlier ones suppressed.
 * The {@link RetryListener} hears of each retry as
 * {@link org.springframework.core.retry.RetryTemplate}'s listeners do.
 */
final class TransactionRetrier {

	private final RetryPolicy policy;

	private final RetryListener listener;

	TransactionRetrier(RetryPolicy policy, RetryListener listener) {
		this.policy = policy;
		this.listener = listener;
	}

	<T> CompletableFuture<T> execute(AsyncJdbcTemplate template,
			Function<? super JdbcOperationsSupport, ? extends CompletionStage<T>> work) {
		Run<T> run = new Run<>(template, work);
		run.attempt();
		return run.result;
	}

	/**
	 * One retried transaction; it is the {@link Retryable} and {@link RetryState} the
	 * listener sees.
	 */
	private final class Run<T> implements Retryable<T>, RetryState {

		final CompletableFuture<T> result = new CompletableFuture<>();

		private final AsyncJdbcTemplate template;

		private final Function<? super JdbcOperationsSupport, ? extends CompletionStage<T>> work;

		private final BackOffExecution backOff;

		private final long startedAt = System.nanoTime();

		private final List<Throwable> failures = new ArrayList<>();

		private volatile @Nullable CompletableFuture<T> current;

		private volatile @Nullable ScheduledFuture<?> timer;

		private volatile int retries;

		Run(AsyncJdbcTemplate template, Function<? super JdbcOperationsSupport, ? extends CompletionStage<T>> work) {
			this.template = template;
			this.work = work;
			this.backOff = TransactionRetrier.this.policy.getBackOff().start();
			this.result.whenComplete((value, failure) -> {
				if (this.result.isCancelled()) {
					ScheduledFuture<?> pending = this.timer;
					if (pending != null) {
						pending.cancel(false);
					}
					CompletableFuture<T> running = this.current;
					if (running != null) {
						running.cancel(true);
					}
				}
			});
		}

		void attempt() {
			CompletableFuture<T> attempt = this.template.transaction(this.work);
			this.current = attempt;
			if (this.result.isCancelled()) {
				attempt.cancel(true);
			}
			attempt.whenComplete((value, failure) -> {
				if (failure == null) {
					if (this.retries > 0) {
						TransactionRetrier.this.listener.onRetrySuccess(TransactionRetrier.this.policy, this, value);
					}
					this.result.complete(value);
				}
				else {
					failed(EngineFailures.unwrap(failure));
				}
			});
		}

		private void failed(Throwable failure) {
			if (this.result.isDone()) {
				return;
			}
			RetryPolicy policy = TransactionRetrier.this.policy;
			RetryListener listener = TransactionRetrier.this.listener;
			synchronized (this.failures) {
				this.failures.add(failure);
			}
			if (this.retries > 0) {
				listener.onRetryFailure(policy, this, failure);
			}
			if (!policy.shouldRetry(failure)) {
				giveUp(failure);
				return;
			}
			long delayMillis = this.backOff.nextBackOff();
			if (delayMillis == BackOffExecution.STOP) {
				listener.onRetryPolicyExhaustion(policy, this, exhausted(failure, "exhausted"));
				giveUp(failure);
				return;
			}
			Duration timeout = policy.getTimeout();
			long elapsed = System.nanoTime() - this.startedAt;
			if (!timeout.isZero() && elapsed + TimeUnit.MILLISECONDS.toNanos(delayMillis) > timeout.toNanos()) {
				listener.onRetryPolicyTimeout(policy, this, exhausted(failure, "timed out after " + timeout));
				giveUp(failure);
				return;
			}
			ScheduledFuture<?> scheduled = this.template.getEngine().threads.schedule(this::retry,
					TimeUnit.MILLISECONDS.toNanos(delayMillis));
			if (scheduled == null) {
				// The engine's timer stopped: it is closing, and a retry would be
				// refused.
				giveUp(failure);
				return;
			}
			this.timer = scheduled;
		}

		private void retry() {
			if (this.result.isDone()) {
				return;
			}
			this.retries++;
			TransactionRetrier.this.listener.beforeRetry(TransactionRetrier.this.policy, this, this);
			try {
				attempt();
			}
			catch (RuntimeException ex) {
				failed(ex);
			}
		}

		private RetryException exhausted(Throwable failure, String how) {
			return new RetryException("Retry policy for " + getName() + " " + how + "; giving up after "
					+ (this.retries + 1) + " attempts", failure);
		}

		private void giveUp(Throwable failure) {
			synchronized (this.failures) {
				for (Throwable earlier : this.failures) {
					if (earlier != failure) {
						failure.addSuppressed(earlier);
					}
				}
			}
			this.result.completeExceptionally(failure);
		}

		/**
		 * Run one attempt and wait for it; for listeners that call it, never used here.
		 */
		@Override
		public @Nullable T execute() throws Throwable {
			return this.template.transaction(this.work).join();
		}

		@Override
		public String getName() {
			return "async-sql transaction on engine '" + this.template.getEngine().getName() + "'";
		}

		@Override
		public int getRetryCount() {
			return this.retries;
		}

		@Override
		public List<Throwable> getExceptions() {
			synchronized (this.failures) {
				return List.copyOf(this.failures);
			}
		}

	}

}
