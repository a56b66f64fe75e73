package io.asyncsql;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryState;
import org.springframework.core.retry.Retryable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bank: 64 transfers at a time between 10 accounts, each reading both balances and
 * writing them back, at {@code SERIALIZABLE}. Without retries some transfers fail with
 * serialization failures or deadlocks; with {@link TransientFailures} retries every one
 * commits. Either way the sum of the balances never changes. Runs on each server
 * database.
 */
@EachServerDatabase
class AsyncJdbcTemplateBankTransferTests {

	private static final int ACCOUNTS = 10;

	private static final int CONCURRENT = 64;

	private static final long OPENING_BALANCE = 1_000;

	private final TestDatabase database;

	private final String table = TestDatabase.uniqueTableName("bank");

	private final AtomicInteger retries = new AtomicInteger();

	private EngineFixture fixture;

	private AsyncEngine engine;

	private AsyncJdbcTemplate template;

	AsyncJdbcTemplateBankTransferTests(TestDatabase database) {
		this.database = database;
	}

	@BeforeEach
	void openAccounts() {
		this.database.assumeAvailable();
		this.fixture = EngineFixture.start(this.database, "bank", 10,
				(config) -> config.setTransactionIsolation("TRANSACTION_SERIALIZABLE"), UnaryOperator.identity());
		this.engine = this.fixture.engine();
		this.template = this.fixture.template().withRetryListener(new RetryListener() {

			@Override
			public void beforeRetry(RetryPolicy policy, Retryable<?> retryable, RetryState state) {
				AsyncJdbcTemplateBankTransferTests.this.retries.incrementAndGet();
			}

		});
		Futures.result(this.template
			.execute("create table " + this.table + " (id integer primary key, balance bigint not null)"));
		List<Object[]> accounts = new ArrayList<>();
		for (int id = 1; id <= ACCOUNTS; id++) {
			accounts.add(new Object[] { id, OPENING_BALANCE });
		}
		Futures
			.result(this.template.batchUpdate("insert into " + this.table + " (id, balance) values (?, ?)", accounts));
	}

	@AfterEach
	void closeBank() {
		if (this.fixture != null) {
			Futures.failure(this.template.execute("drop table if exists " + this.table));
			this.fixture.close();
		}
	}

	@Test
	void withoutRetrySomeTransfersFailWithSerializationFailuresAndTheSumHolds() {
		Outcome outcome = transfer(1_000, null);
		assertThat(outcome.failures()).isNotEmpty()
			.allSatisfy((failure) -> assertThat(TransientFailures.isTransientTransactionFailure(failure))
				.as("%s is transient", failure)
				.isTrue());
		assertThat(outcome.committed() + outcome.failures().size()).isEqualTo(1_000);
		assertThat(this.retries).hasValue(0);
		assertThat(outcome.sums()).containsOnly(ACCOUNTS * OPENING_BALANCE);
	}

	@Test
	void withRetryEveryTransferCommitsAndTheSumHolds() {
		RetryPolicy policy = TransientFailures.retryPolicy(false)
			.maxRetries(1_000)
			.delay(Duration.ofMillis(2))
			.jitter(Duration.ofMillis(2))
			.multiplier(1.5)
			.maxDelay(Duration.ofMillis(100))
			.build();
		Outcome outcome = transfer(5_000, policy);
		assertThat(outcome.failures()).isEmpty();
		assertThat(outcome.committed()).isEqualTo(5_000);
		assertThat(this.retries).hasPositiveValue();
		assertThat(outcome.sums()).containsOnly(ACCOUNTS * OPENING_BALANCE);
	}

	@Test
	void retryGivesUpWithTheLastFailureAfterTheAttemptsAllowed() {
		RetryPolicy policy = TransientFailures.retryPolicy(false).maxRetries(2).delay(Duration.ofMillis(1)).build();
		AtomicInteger attempts = new AtomicInteger();
		CompletableFuture<Object> result = this.template.inTransaction(policy, (tx) -> {
			attempts.incrementAndGet();
			return tx.update("update " + this.table + " set balance = balance + 1 where id = 1")
				.thenCompose((updated) -> CompletableFuture.failedFuture(serializationFailure()));
		});
		Throwable failure = Futures.failure(result);
		assertThat(TransientFailures.isTransientTransactionFailure(failure)).isTrue();
		assertThat(failure.getSuppressed()).hasSize(2);
		assertThat(attempts).hasValue(3);
		assertThat(this.retries).hasValue(2);
		assertThat(Futures
			.result(this.template.queryForObject("select balance from " + this.table + " where id = 1", Long.class)))
			.isEqualTo(OPENING_BALANCE);
	}

	@Test
	void failuresThePolicyDoesNotRetryEndTheTransactionAtOnce() {
		RetryPolicy policy = TransientFailures.retryPolicy(false).maxRetries(5).delay(Duration.ofMillis(1)).build();
		AtomicInteger attempts = new AtomicInteger();
		CompletableFuture<Integer> result = this.template.withRetry(policy).inTransaction((tx) -> {
			attempts.incrementAndGet();
			return tx.update("update no_such_table set balance = 0");
		});
		assertThat(Futures.failure(result)).isInstanceOf(org.springframework.jdbc.BadSqlGrammarException.class);
		assertThat(attempts).hasValue(1);
	}

	private static java.sql.SQLException serializationFailure() {
		return new java.sql.SQLException("could not serialize access (test)", "40001");
	}

	/**
	 * Run transfers, at most {@link #CONCURRENT} at a time, checking the sum now and then
	 * while they run.
	 */
	private Outcome transfer(int count, @Nullable RetryPolicy policy) {
		Random random = new Random(18);
		Semaphore window = new Semaphore(CONCURRENT);
		List<CompletableFuture<Void>> transfers = new ArrayList<>();
		List<CompletableFuture<Long>> sums = new ArrayList<>();
		RetryPolicy sumRetries = TransientFailures.retryPolicy(false)
			.maxRetries(100)
			.delay(Duration.ofMillis(5))
			.build();
		for (int i = 0; i < count; i++) {
			try {
				assertThat(window.tryAcquire(Futures.WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			int from = 1 + random.nextInt(ACCOUNTS);
			int to = 1 + (from + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
			long amount = 1 + random.nextInt(100);
			Function<AsyncJdbcOperations, CompletionStage<Void>> work = (tx) -> move(tx, from, to, amount);
			CompletableFuture<Void> transfer = (policy != null) ? this.template.inTransaction(policy, work)
					: this.template.inTransaction(work);
			transfer.whenComplete((done, failure) -> window.release());
			transfers.add(transfer);
			if (i % 250 == 0) {
				// Through a template of its own, whose retries the listener does not
				// count.
				sums.add(new AsyncJdbcTemplate(this.engine).inTransaction(sumRetries,
						(tx) -> tx.queryForObject("select sum(balance) from " + this.table, Long.class)));
			}
		}
		int committed = 0;
		List<Throwable> failures = new ArrayList<>();
		for (CompletableFuture<Void> transfer : transfers) {
			Throwable failure = Futures.failure(transfer);
			if (failure == null) {
				committed++;
			}
			else {
				failures.add(failure);
			}
		}
		sums.add(this.template.queryForObject("select sum(balance) from " + this.table, Long.class));
		return new Outcome(committed, failures, sums.stream().map(Futures::result).toList());
	}

	private CompletionStage<Void> move(AsyncJdbcOperations tx, int from, int to, long amount) {
		String balance = "select balance from " + this.table + " where id = ?";
		String update = "update " + this.table + " set balance = ? where id = ?";
		return tx.queryForObject(balance, Long.class, from)
			.thenCompose((fromBalance) -> tx.queryForObject(balance, Long.class, to)
				.thenCompose((toBalance) -> tx.update(update, fromBalance - amount, from)
					.thenCompose((updated) -> tx.update(update, toBalance + amount, to))))
			.thenApply((updated) -> null);
	}

	private record Outcome(int committed, List<Throwable> failures, List<Long> sums) {
	}

}
