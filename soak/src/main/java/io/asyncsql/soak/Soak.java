package io.asyncsql.soak;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.AsyncSqlTransactionManager;
import io.asyncsql.EngineStats;
import reactor.core.publisher.Mono;

/**
 * One soak run: a bank ledger on the target database, driven by a {@link Workload}
 * through a {@link TcpProxy} while {@link Faults} hurt it, then checked. The invariants:
 * <ul>
 * <li>every future completed within {@link Workload#BOUND};</li>
 * <li>the engine's outcomes (completed, failed, rejected, cancelled) add up to what was
 * submitted to it, and nothing is left active or queued;</li>
 * <li>the sum of balances is what it was, each balance is its opening balance plus the
 * transfers in the ledger, every transfer whose future committed is there exactly once
 * and every {@code CompletableFuture} transfer that failed is absent;</li>
 * <li>every complete stream of the balances, one statement's snapshot, summed to the
 * total;</li>
 * <li>afterwards the pool is idle, no session of the soak runs a statement or holds a
 * transaction open at the server, none is left once the pool is closed, and the live
 * thread count is back where it started.</li>
 * </ul>
 */
final class Soak {

	private static final int ACCOUNTS = 100;

	private static final long OPENING_BALANCE = 1_000_000;

	private static final int POOL_SIZE = 12;

	private final SoakTarget target;

	private final Duration duration;

	private final int callers;

	private final Duration faultInterval;

	Soak(SoakTarget target, Duration duration, int callers, Duration faultInterval) {
		this.target = target;
		this.duration = duration;
		this.callers = callers;
		this.faultInterval = faultInterval;
	}

	SoakReport run() throws Exception {
		SoakReport report = new SoakReport(this.target + ": " + this.duration.toSeconds() + " s, " + this.callers
				+ " callers, a fault every " + this.faultInterval.toSeconds() + " s");
		this.target.ensureDatabase();
		createLedger();
		warmUpSharedThreads();
		int threadsBefore = liveThreads();
		Set<String> namesBefore = threadNames();
		ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "soak-scheduler");
			thread.setDaemon(true);
			return thread;
		});
		TcpProxy proxy = new TcpProxy(this.target.host, this.target.port);
		HikariDataSource pool = pool(proxy.port());
		AsyncEngine engine = AsyncEngine.builder(pool)
			.name("soak")
			.maxConcurrency(POOL_SIZE)
			.queueCapacity(2_000)
			.queueTimeout(Duration.ofSeconds(5))
			.streamIdleTimeout(Duration.ofSeconds(10))
			.build();
		AsyncJdbcTemplate template = new AsyncJdbcTemplate(engine);
		Workload workload = new Workload(template, new AsyncSqlTransactionManager(template), scheduler, ACCOUNTS,
				ACCOUNTS * OPENING_BALANCE);
		long start = System.nanoTime();
		long end = start + this.duration.toNanos();
		Faults faults = new Faults(this.target, proxy, engine, template, start);
		List<Thread> threads = new ArrayList<>();
		for (int i = 0; i < this.callers; i++) {
			threads.add(start("soak-caller-" + i, () -> workload.runCaller(start, end)));
		}
		threads.add(start("soak-faults", () -> {
			try {
				faults.run(end, this.faultInterval);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}));
		for (Thread thread : threads) {
			thread.join(this.duration.plus(Workload.BOUND).plusMinutes(1).toMillis());
		}
		boolean callersDone = threads.stream().noneMatch(Thread::isAlive);

		report.operations.putAll(SoakReport.totals(workload.outcomes));
		report.operations.putAll(SoakReport.totals(faults.outcomes));
		report.faults.putAll(SoakReport.totals(faults.injected));
		report.faultLog.addAll(faults.log);
		report.faultLog.addAll(workload.drifts);
		report.faultLog.sort(java.util.Comparator.comparingLong(Soak::secondsOf));

		long stuck = workload.stuck.sum() + report.operations.getOrDefault("overflow stuck", 0L);
		report.check(
				"every future completed within " + Workload.BOUND.toSeconds() + " s", workload.started.sum()
						+ " operations, " + stuck + " stuck" + (callersDone ? "" : ", callers still running"),
				stuck == 0 && callersDone);
		// A transaction its subscriber dropped between Spring's steps is reclaimed once
		// collected: let the collector run while waiting.
		boolean quiet = waitUntil(Duration.ofSeconds(30), () -> {
			System.gc();
			return engine.stats().active() == 0 && engine.stats().queued() == 0;
		});
		EngineStats stats = engine.stats();
		long accounted = stats.completed() + stats.failed() + stats.rejected() + stats.cancelled();
		report.check("completed + failed + rejected + cancelled = submitted", stats.completed() + " + " + stats.failed()
				+ " + " + stats.rejected() + " + " + stats.cancelled() + " = " + accounted + " of " + stats.submitted(),
				accounted == stats.submitted());
		report.check("nothing active or queued in the engine",
				"active " + stats.active() + ", queued " + stats.queued(), quiet);
		checkLedger(report, workload);
		report.check("every complete stream summed to the total",
				workload.streamsRead.sum() + " streams, " + workload.inconsistentStreams.sum() + " off",
				workload.inconsistentStreams.sum() == 0);
		boolean poolIdle = waitUntil(Duration.ofSeconds(30),
				() -> pool.getHikariPoolMXBean().getActiveConnections() == 0);
		report.check("pool idle", pool.getHikariPoolMXBean().getActiveConnections() + " active connections", poolIdle);
		List<Long> busy = new ArrayList<>();
		boolean serverQuiet = waitUntil(Duration.ofSeconds(30), () -> sessions(true, busy).isEmpty());
		report.check("no soak session running a statement or idle in transaction", busy.size() + " sessions",
				serverQuiet);

		engine.close();
		pool.close();
		proxy.close();
		scheduler.shutdownNow();
		List<Long> left = new ArrayList<>();
		boolean closed = waitUntil(Duration.ofSeconds(30), () -> sessions(false, left).isEmpty());
		report.check("no soak session left after close", left.size() + " sessions", closed);
		boolean threadsBack = waitUntil(Duration.ofSeconds(30), () -> liveThreads() <= threadsBefore);
		Set<String> added = threadNames();
		added.removeAll(namesBefore);
		report.check("live threads back where they started",
				liveThreads() + " now, " + threadsBefore + " before" + (added.isEmpty() ? "" : ", new: " + added),
				threadsBack);
		return report;
	}

	private void checkLedger(SoakReport report, Workload workload) throws SQLException {
		Map<Long, long[]> ledger = new HashMap<>();
		Map<Integer, Long> balances = new HashMap<>();
		try (Connection connection = this.target.admin(SoakTarget.DATABASE);
				Statement statement = connection.createStatement()) {
			try (ResultSet rows = statement.executeQuery("select id, from_id, to_id, amount from transfers")) {
				while (rows.next()) {
					ledger.put(rows.getLong(1), new long[] { rows.getLong(2), rows.getLong(3), rows.getLong(4) });
				}
			}
			try (ResultSet rows = statement.executeQuery("select id, balance from accounts")) {
				while (rows.next()) {
					balances.put(rows.getInt(1), rows.getLong(2));
				}
			}
		}
		long sum = balances.values().stream().mapToLong(Long::longValue).sum();
		report.check("sum of balances unchanged", sum + " of " + ACCOUNTS * OPENING_BALANCE,
				sum == ACCOUNTS * OPENING_BALANCE && balances.size() == ACCOUNTS);
		Map<Integer, Long> expected = new HashMap<>();
		for (int account = 1; account <= ACCOUNTS; account++) {
			expected.put(account, OPENING_BALANCE);
		}
		ledger.values().forEach((transfer) -> {
			expected.merge((int) transfer[0], -transfer[2], Long::sum);
			expected.merge((int) transfer[1], transfer[2], Long::sum);
		});
		long off = expected.entrySet().stream().filter((e) -> !e.getValue().equals(balances.get(e.getKey()))).count();
		report.check("each balance = opening + its transfers in the ledger", off + " accounts off", off == 0);
		expected.forEach((account, balance) -> {
			long drift = balances.getOrDefault(account, 0L) - balance;
			if (drift != 0) {
				report.faultLog
					.add("account " + account + " is off by " + drift + suspects(workload, ledger, account, drift));
			}
		});
		Map<Workload.Outcome, Integer> byOutcome = new HashMap<>();
		Set<Long> committedMissing = new HashSet<>();
		Set<Long> rolledBackPresent = new HashSet<>();
		int unknownPresent = 0;
		for (Workload.Transfer transfer : workload.transfers.values()) {
			byOutcome.merge(transfer.outcome, 1, Integer::sum);
			boolean present = ledger.containsKey(transfer.id);
			switch (transfer.outcome) {
				case COMMITTED -> {
					if (!present) {
						committedMissing.add(transfer.id);
					}
				}
				case ROLLED_BACK -> {
					if (present) {
						rolledBackPresent.add(transfer.id);
						report.faultLog.add("transfer " + transfer.id + " failed with " + transfer.failure
								+ (transfer.cancelAccepted ? " (its cancel() returned true)" : "")
								+ " but is in the ledger");
						if (transfer.failure != null) {
							java.io.StringWriter trace = new java.io.StringWriter();
							transfer.failure.printStackTrace(new java.io.PrintWriter(trace));
							report.faultLog.add(trace.toString());
						}
					}
				}
				default -> unknownPresent += present ? 1 : 0;
			}
		}
		report.check("every committed transfer in the ledger exactly once",
				byOutcome.getOrDefault(Workload.Outcome.COMMITTED, 0) + " committed, " + committedMissing.size()
						+ " missing",
				committedMissing.isEmpty());
		report.check("every failed CompletableFuture transfer absent",
				byOutcome.getOrDefault(Workload.Outcome.ROLLED_BACK, 0) + " failed, " + rolledBackPresent.size()
						+ " present",
				rolledBackPresent.isEmpty());
		int unknown = byOutcome.getOrDefault(Workload.Outcome.UNKNOWN, 0)
				+ byOutcome.getOrDefault(Workload.Outcome.PENDING, 0);
		report.check("transfers of unknown outcome (cancelled Reactor ones) at most once",
				unknown + " unknown, " + unknownPresent + " committed, no id twice (primary key)",
				ledger.size() <= workload.transfers.size());
	}

	/**
	 * The transfers missing from the ledger whose move on the account equals its drift:
	 * the likely half-committed ones, with what their futures said.
	 */
	private static String suspects(Workload workload, Map<Long, long[]> ledger, int account, long drift) {
		StringBuilder out = new StringBuilder();
		for (Workload.Transfer transfer : workload.transfers.values()) {
			boolean moves = (transfer.to == account && transfer.amount == drift)
					|| (transfer.from == account && -transfer.amount == drift);
			if (moves && !ledger.containsKey(transfer.id)) {
				out.append("\n    suspect transfer ")
					.append(transfer.id)
					.append(" (")
					.append(transfer.kind)
					.append(", ")
					.append(transfer.from)
					.append(" -> ")
					.append(transfer.to)
					.append("): ")
					.append(transfer.outcome)
					.append(transfer.cancelAccepted ? ", cancel() returned true" : "")
					.append(", ")
					.append(transfer.failure);
			}
		}
		return out.toString();
	}

	private static long secondsOf(String logLine) {
		String head = logLine.strip().split(" ", 2)[0];
		return head.chars().allMatch(Character::isDigit) && !head.isEmpty() ? Long.parseLong(head) : Long.MAX_VALUE;
	}

	private void createLedger() throws SQLException {
		try (Connection connection = this.target.admin(SoakTarget.DATABASE);
				Statement statement = connection.createStatement()) {
			for (String table : List.of("transfers", "accounts", "events")) {
				statement.execute("drop table if exists " + table);
			}
			statement.execute("create table accounts (id integer primary key, balance bigint not null)");
			statement.execute("create table transfers (id bigint primary key, from_id integer not null,"
					+ " to_id integer not null, amount bigint not null)");
			statement.execute("create table events (id bigint primary key, n integer not null)");
			StringBuilder insert = new StringBuilder("insert into accounts (id, balance) values ");
			for (int account = 1; account <= ACCOUNTS; account++) {
				insert.append((account > 1) ? ", " : "").append('(').append(account).append(", ");
				insert.append(OPENING_BALANCE).append(')');
			}
			statement.execute(insert.toString());
		}
	}

	private HikariDataSource pool(int proxyPort) {
		HikariConfig config = new HikariConfig();
		config.setPoolName("soak");
		config.setJdbcUrl(this.target.url(this.target.host, proxyPort, SoakTarget.DATABASE));
		config.setMaximumPoolSize(POOL_SIZE);
		config.setConnectionTimeout(5_000);
		config.setValidationTimeout(2_000);
		// A socket read never waits longer than the longest fault: a stalled or half-cut
		// connection fails instead of holding its permit.
		// (pgjdbc counts seconds, MariaDB's driver milliseconds.)
		config.addDataSourceProperty("socketTimeout", (this.target == SoakTarget.POSTGRESQL) ? "30" : "30000");
		return new HikariDataSource(config);
	}

	private List<Long> sessions(boolean busyOnly, List<Long> into) {
		into.clear();
		try (Connection connection = this.target.admin(this.target.adminDatabase());
				Statement admin = connection.createStatement()) {
			into.addAll(this.target.sessions(admin, busyOnly));
		}
		catch (SQLException ex) {
			into.add(-1L);
		}
		return into;
	}

	/**
	 * Start the JVM-wide threads the run uses lazily (Reactor's timer, the common pool's
	 * delayed executor), so that they are counted before as well as after.
	 */
	private static void warmUpSharedThreads() throws ClassNotFoundException {
		// The transaction manager's reclaimer thread starts with its class.
		Class.forName(AsyncSqlTransactionManager.class.getName());
		Mono.delay(Duration.ofMillis(1)).block(Duration.ofSeconds(5));
		CompletableFuture.runAsync(() -> {
		}, CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS)).join();
	}

	/**
	 * Count live threads, leaving out the common fork-join pool, whose workers come and
	 * go by themselves.
	 */
	private static int liveThreads() {
		return (int) Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.isAlive() && !thread.getName().startsWith("ForkJoinPool.commonPool")
					&& !thread.getName().equals("process reaper"))
			.count();
	}

	private static Set<String> threadNames() {
		Set<String> names = new java.util.TreeSet<>();
		Thread.getAllStackTraces().keySet().forEach((thread) -> names.add(thread.getName()));
		return names;
	}

	private static boolean waitUntil(Duration limit, BooleanSupplier condition) throws InterruptedException {
		long end = System.nanoTime() + limit.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - end > 0) {
				return false;
			}
			TimeUnit.MILLISECONDS.sleep(100);
		}
		return true;
	}

	private static Thread start(String name, Runnable body) {
		Thread thread = new Thread(body, name);
		thread.start();
		return thread;
	}

}
