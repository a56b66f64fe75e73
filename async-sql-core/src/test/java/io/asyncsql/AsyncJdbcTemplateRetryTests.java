package io.asyncsql;

import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.retry.RetryPolicy;
import org.springframework.dao.CannotAcquireLockException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retried transactions on H2: the back-off holds no thread and no permit, cancelling
 * stops further attempts, and which failures count is the policy's.
 */
class AsyncJdbcTemplateRetryTests {

	private EngineFixture fixture;

	private AsyncEngine engine;

	private AsyncJdbcTemplate template;

	@BeforeEach
	void createEngine() {
		this.fixture = EngineFixture.start(TestDatabase.H2, "retry", 1, (engine) -> engine.maxConcurrency(1));
		this.engine = this.fixture.engine();
		this.template = this.fixture.template();
	}

	@AfterEach
	void closeEngine() {
		this.fixture.close();
	}

	@Test
	void backOffHoldsNeitherAThreadNorThePermit() {
		RetryPolicy policy = TransientFailures.retryPolicy(false).maxRetries(1).delay(Duration.ofSeconds(3)).build();
		AtomicInteger attempts = new AtomicInteger();
		CompletableFuture<Integer> retried = this.template.inTransaction(policy, (tx) -> {
			if (attempts.incrementAndGet() == 1) {
				return CompletableFuture.failedFuture(serializationFailure());
			}
			return tx.queryForObject("select 2", Integer.class);
		});
		await().atMost(Futures.WAIT).until(() -> this.engine.stats().active() == 0 && attempts.get() == 1);
		// The one permit is free while the retry waits: other work runs at once.
		assertThat(Futures.result(this.template.queryForObject("select 1", Integer.class))).isOne();
		assertThat(attempts).hasValue(1);
		assertThat(retried).isNotDone();
		assertThat(Futures.result(retried)).isEqualTo(2);
		assertThat(attempts).hasValue(2);
	}

	@Test
	void cancellingDuringTheBackOffStopsFurtherAttempts() {
		RetryPolicy policy = TransientFailures.retryPolicy(false).maxRetries(5).delay(Duration.ofMillis(300)).build();
		AtomicInteger attempts = new AtomicInteger();
		CompletableFuture<Integer> retried = this.template.inTransaction(policy, (tx) -> {
			attempts.incrementAndGet();
			return CompletableFuture.failedFuture(serializationFailure());
		});
		await().atMost(Futures.WAIT).until(() -> attempts.get() == 1);
		retried.cancel(true);
		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> attempts.get() == 1);
		assertThat(retried).isCancelled();
	}

	@Test
	void engineRefusalsCountOnlyWhenIncluded() {
		EngineSaturatedException saturated = new EngineSaturatedException("full");
		QueueTimeoutException queueTimeout = new QueueTimeoutException("late");
		assertThat(TransientFailures.predicate(false)).rejects(saturated, queueTimeout);
		assertThat(TransientFailures.predicate(true)).accepts(saturated, queueTimeout);
	}

	@Test
	void transientFailuresAreSerializationFailuresDeadlocksAndMariaDbLockErrors() {
		assertThat(TransientFailures.isTransientTransactionFailure(serializationFailure())).isTrue();
		assertThat(TransientFailures
			.isTransientTransactionFailure(new CannotAcquireLockException("deadlock", new SQLException("", "40P01"))))
			.isTrue();
		assertThat(TransientFailures.isTransientTransactionFailure(
				new SQLTransactionRollbackException("Deadlock found when trying to get lock", "40001", 1213)))
			.isTrue();
		assertThat(TransientFailures
			.isTransientTransactionFailure(new SQLException("Lock wait timeout exceeded", "HY000", 1205))).isTrue();
		assertThat(TransientFailures.isTransientTransactionFailure(new SQLException("duplicate key", "23505")))
			.isFalse();
		assertThat(TransientFailures.isTransientTransactionFailure(new IllegalStateException("no"))).isFalse();
	}

	private static CannotAcquireLockException serializationFailure() {
		return new CannotAcquireLockException("could not serialize access (test)",
				new SQLException("could not serialize access", "40001"));
	}

}
