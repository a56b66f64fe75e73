package io.asyncsql.soak;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.asyncsql.AsyncConnection;
import io.asyncsql.AsyncJdbcOperations;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.AsyncSqlTransactionManager;
import io.asyncsql.EngineSaturatedException;
import io.asyncsql.QueueTimeoutException;
import io.asyncsql.StatementTimeoutException;
import io.asyncsql.TransactionOutcomeUnknownException;
import io.asyncsql.reactor.ReactiveJdbcClient;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * The soak's mixed load: callers that each run one operation at a time, chosen at random
 * (point reads, inserts, transfers between accounts, lanes, streams, Reactor
 * transactions), some under short deadlines and some cancelled at random. Every
 * operation's future is waited for with a bound; one that outlives it is counted as
 * stuck. Each transfer's outcome, as its future reported it, is kept for the ledger
 * check.
 */
final class Workload {

	/** Longer than any operation may take: queue timeout, statement, commit, faults. */
	static final Duration BOUND = Duration.ofSeconds(90);

	private final AsyncJdbcTemplate template;

	private final ReactiveJdbcClient reactive;

	private final TransactionalOperator operator;

	private final ScheduledExecutorService scheduler;

	private final int accounts;

	private final long total;

	private final AtomicLong ids = new AtomicLong();

	/** Transfer id to what its future said. */
	final Map<Long, Transfer> transfers = new ConcurrentHashMap<>();

	/** Operation kind and outcome to count. */
	final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();

	final LongAdder stuck = new LongAdder();

	final LongAdder started = new LongAdder();

	final LongAdder streamsRead = new LongAdder();

	/** Complete streams of every balance whose sum was not the ledger's total. */
	final LongAdder inconsistentStreams = new LongAdder();

	/**
	 * When a complete stream first saw each new drift of the sum from the total, as
	 * fault-log lines: the time places a broken transfer among the faults.
	 */
	final List<String> drifts = new java.util.concurrent.CopyOnWriteArrayList<>();

	private final AtomicLong lastDrift = new AtomicLong();

	private volatile long startNanos = System.nanoTime();

	Workload(AsyncJdbcTemplate template, AsyncSqlTransactionManager manager, ScheduledExecutorService scheduler,
			int accounts, long total) {
		this.template = template;
		this.reactive = ReactiveJdbcClient.create(template);
		this.operator = TransactionalOperator.create(manager);
		this.scheduler = scheduler;
		this.accounts = accounts;
		this.total = total;
	}

	/**
	 * The operations and their weights; {@code ASYNC_SQL_SOAK_OPERATIONS} (a comma list
	 * of names) keeps only some, to find which one breaks an invariant.
	 */
	private static final Map<String, Integer> WEIGHTS = weights();

	private static Map<String, Integer> weights() {
		Map<String, Integer> weights = new java.util.LinkedHashMap<>();
		weights.put("read", 25);
		weights.put("insert", 13);
		weights.put("transfer", 18);
		weights.put("transfer-deadline", 6);
		weights.put("transfer-cancel", 6);
		weights.put("lane", 8);
		weights.put("stream", 12);
		weights.put("reactive", 9);
		weights.put("reactive-cancel", 3);
		String only = System.getenv("ASYNC_SQL_SOAK_OPERATIONS");
		if (only != null && !only.isBlank()) {
			weights.keySet().retainAll(List.of(only.split(",")));
		}
		return weights;
	}

	/**
	 * Run operations one after another until the given time.
	 */
	void runCaller(long startNanos, long endNanos) {
		this.startNanos = startNanos;
		int totalWeight = WEIGHTS.values().stream().mapToInt(Integer::intValue).sum();
		while (System.nanoTime() - endNanos < 0) {
			int pick = ThreadLocalRandom.current().nextInt(totalWeight);
			for (Map.Entry<String, Integer> entry : WEIGHTS.entrySet()) {
				pick -= entry.getValue();
				if (pick < 0) {
					run(entry.getKey());
					break;
				}
			}
		}
	}

	private void run(String kind) {
		switch (kind) {
			case "read" -> await(kind,
					this.template.queryForObject("select balance from accounts where id = ?", Long.class, account()));
			case "insert" -> await(kind, this.template.update("insert into events (id, n) values (?, ?)",
					this.ids.incrementAndGet(), ThreadLocalRandom.current().nextInt(100)));
			case "transfer", "transfer-deadline", "transfer-cancel" -> transfer(kind);
			case "lane" -> await(kind, lane());
			case "stream" -> await(kind, stream());
			default -> reactiveTransfer(kind.equals("reactive-cancel"));
		}
	}

	private void transfer(String kind) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		Transfer transfer = newTransfer(kind);
		AsyncJdbcTemplate on = kind.equals("transfer-deadline")
				? this.template.withTimeout(Duration.ofMillis(random.nextLong(20, 400))) : this.template;
		CompletableFuture<Integer> future = on.inTransaction((tx) -> move(tx, transfer));
		if (kind.equals("transfer-cancel")) {
			this.scheduler.schedule(() -> {
				transfer.cancelAccepted = future.cancel(false);
			}, random.nextLong(0, 40), TimeUnit.MILLISECONDS);
		}
		Throwable failure = await(kind, future);
		transfer.outcome = outcome(future, failure);
		transfer.failure = failure;
	}

	private static Outcome outcome(CompletableFuture<?> future, Throwable failure) {
		if (failure == null) {
			return Outcome.COMMITTED;
		}
		// A CompletableFuture transaction never fails for one that committed: only an
		// unknown outcome may have.
		return (failure instanceof TransactionOutcomeUnknownException) ? Outcome.UNKNOWN : Outcome.ROLLED_BACK;
	}

	private CompletableFuture<Integer> move(AsyncJdbcOperations tx, Transfer transfer) {
		// Accounts in id order, so that two transfers never wait for each other.
		int first = Math.min(transfer.from, transfer.to);
		int second = Math.max(transfer.from, transfer.to);
		return tx.update("update accounts set balance = balance + ? where id = ?", delta(transfer, first), first)
			.thenCompose((n) -> tx.update("update accounts set balance = balance + ? where id = ?",
					delta(transfer, second), second))
			.thenCompose((n) -> tx.update("insert into transfers (id, from_id, to_id, amount) values (?, ?, ?, ?)",
					transfer.id, transfer.from, transfer.to, transfer.amount));
	}

	private static long delta(Transfer transfer, int account) {
		return (account == transfer.from) ? -transfer.amount : transfer.amount;
	}

	private void reactiveTransfer(boolean dispose) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		Transfer transfer = newTransfer(dispose ? "reactive-cancel" : "reactive");
		int first = Math.min(transfer.from, transfer.to);
		int second = Math.max(transfer.from, transfer.to);
		Mono<Integer> work = credit(first, delta(transfer, first)).then(credit(second, delta(transfer, second)))
			.then(this.reactive
				.sql("insert into transfers (id, from_id, to_id, amount) values (:id, :from, :to, :amount)")
				.param("id", transfer.id)
				.param("from", transfer.from)
				.param("to", transfer.to)
				.param("amount", transfer.amount)
				.update());
		CompletableFuture<Integer> future = new CompletableFuture<>();
		Disposable subscription = this.operator.transactional(work)
			.subscribe(future::complete, future::completeExceptionally, () -> future.complete(null));
		if (dispose) {
			this.scheduler.schedule(() -> {
				subscription.dispose();
				future.cancel(false);
			}, random.nextLong(0, 30), TimeUnit.MILLISECONDS);
		}
		Throwable failure = await(dispose ? "reactive-cancel" : "reactive", future);
		// A disposed or failed Reactor transaction may have committed as it was ended.
		transfer.outcome = (failure == null) ? Outcome.COMMITTED : Outcome.UNKNOWN;
	}

	private Mono<Integer> credit(int account, long amount) {
		return this.reactive.sql("update accounts set balance = balance + :amount where id = :id")
			.param("amount", amount)
			.param("id", account)
			.update();
	}

	private CompletableFuture<Long> lane() {
		return this.template.connect().thenCompose((connection) -> readThrice(connection).handle((sum, failure) -> {
			connection.close();
			if (failure != null) {
				throw (failure instanceof CompletionException completion) ? completion
						: new CompletionException(failure);
			}
			return sum;
		}));
	}

	private CompletableFuture<Long> readThrice(AsyncConnection connection) {
		String sql = "select balance from accounts where id = ?";
		return connection.queryForObject(sql, Long.class, account())
			.thenCombine(connection.queryForObject(sql, Long.class, account()), Long::sum)
			.thenCombine(connection.queryForObject(sql, Long.class, account()), Long::sum);
	}

	private CompletableFuture<Long> stream() {
		Flux<Long> balances = JdkFlowAdapter
			.flowPublisherToFlux(this.template.stream("select balance from accounts", (rs, row) -> rs.getLong(1)));
		if (ThreadLocalRandom.current().nextBoolean()) {
			// Stops after a few rows: the stream is cancelled mid-way.
			return balances.take(5).reduce(0L, Long::sum).toFuture();
		}
		return balances.limitRate(16).collectList().map((all) -> {
			long sum = all.stream().mapToLong(Long::longValue).sum();
			this.streamsRead.increment();
			if (all.size() == this.accounts && sum != this.total) {
				this.inconsistentStreams.increment();
			}
			long drift = (all.size() == this.accounts) ? sum - this.total : this.lastDrift.get();
			long last = this.lastDrift.get();
			if (drift != last && this.lastDrift.compareAndSet(last, drift)) {
				long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - this.startNanos);
				this.drifts
					.add(String.format("%5d s  %-8s a stream summed to %+d from the total", seconds, "drift", drift));
			}
			return sum;
		}).toFuture();
	}

	/**
	 * Wait for an operation's future, within {@link #BOUND}, and count its outcome.
	 * @return what it failed with, or {@code null}
	 */
	private Throwable await(String kind, CompletableFuture<?> future) {
		this.started.increment();
		Throwable failure = null;
		try {
			future.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (CancellationException ex) {
			failure = ex;
		}
		catch (ExecutionException ex) {
			failure = ex.getCause();
		}
		catch (TimeoutException ex) {
			this.stuck.increment();
			failure = ex;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			failure = ex;
		}
		count(kind, classify(failure));
		return failure;
	}

	private static String classify(Throwable failure) {
		if (failure == null) {
			return "ok";
		}
		if (failure instanceof CancellationException) {
			return "cancelled";
		}
		if (failure instanceof EngineSaturatedException) {
			return "rejected";
		}
		if (failure instanceof QueueTimeoutException || failure instanceof StatementTimeoutException) {
			return "deadline";
		}
		if (failure instanceof TimeoutException) {
			return "stuck";
		}
		return "failed";
	}

	private void count(String kind, String outcome) {
		this.outcomes.computeIfAbsent(kind + " " + outcome, (key) -> new LongAdder()).increment();
	}

	private Transfer newTransfer(String kind) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		int from = account();
		int to = account();
		while (to == from) {
			to = account();
		}
		Transfer transfer = new Transfer(this.ids.incrementAndGet(), kind, from, to, random.nextLong(1, 1_000));
		this.transfers.put(transfer.id, transfer);
		return transfer;
	}

	private int account() {
		return ThreadLocalRandom.current().nextInt(1, this.accounts + 1);
	}

	/**
	 * What a transfer's future reported.
	 */
	enum Outcome {

		/** Not reported yet (a caller still waiting when the run ended). */
		PENDING,

		/** The future completed with a value: the transfer must be in the ledger once. */
		COMMITTED,

		/** A CompletableFuture transaction that failed: the transfer must be absent. */
		ROLLED_BACK,

		/** Nobody can tell: present at most once. */
		UNKNOWN

	}

	static final class Transfer {

		final long id;

		final String kind;

		final int from;

		final int to;

		final long amount;

		volatile Outcome outcome = Outcome.PENDING;

		/** What the future failed with, to name in the report if the ledger disagrees. */
		volatile Throwable failure;

		/** Whether a cancel of the future returned {@code true}. */
		volatile boolean cancelAccepted;

		Transfer(long id, String kind, int from, int to, long amount) {
			this.id = id;
			this.kind = kind;
			this.from = from;
			this.to = to;
			this.amount = amount;
		}

	}

}
