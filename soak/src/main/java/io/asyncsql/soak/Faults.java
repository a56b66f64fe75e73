package io.asyncsql.soak;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

import io.asyncsql.AsyncConnection;
import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.EngineSaturatedException;

/**
 * The faults the soak injects, one after another on a schedule while the load runs:
 * sessions killed at the server, the network stalled and cut through the
 * {@link TcpProxy}, the server restarted (PostgreSQL's private cluster), every permit
 * taken (pool exhaustion) and the queue flooded past its capacity. Each is logged with
 * its time from the start.
 */
final class Faults {

	private final SoakTarget target;

	private final TcpProxy proxy;

	private final AsyncEngine engine;

	private final AsyncJdbcTemplate template;

	private final long startNanos;

	final List<String> log = new CopyOnWriteArrayList<>();

	final Map<String, LongAdder> injected = new ConcurrentHashMap<>();

	/** What the faults' own work saw, beside the callers' outcomes. */
	final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();

	Faults(SoakTarget target, TcpProxy proxy, AsyncEngine engine, AsyncJdbcTemplate template, long startNanos) {
		this.target = target;
		this.proxy = proxy;
		this.engine = engine;
		this.template = template;
		this.startNanos = startNanos;
	}

	/**
	 * Inject faults in turn, one every interval, until the given time.
	 */
	void run(long endNanos, Duration interval) throws InterruptedException {
		List<String> schedule = new ArrayList<>(List.of("kill", "stall", "exhaust", "cut", "overflow"));
		if (this.target.canRestart()) {
			schedule.add("restart");
		}
		String only = System.getenv("ASYNC_SQL_SOAK_FAULTS");
		if (only != null && !only.isBlank()) {
			schedule.retainAll(List.of(only.split(",")));
		}
		int next = 0;
		while (true) {
			long wait = Math.min(interval.toNanos(), endNanos - System.nanoTime());
			if (wait <= 0) {
				return;
			}
			TimeUnit.NANOSECONDS.sleep(wait);
			if (System.nanoTime() - endNanos >= 0) {
				return;
			}
			if (schedule.isEmpty()) {
				continue;
			}
			String fault = schedule.get(next++ % schedule.size());
			try {
				record(fault, inject(fault));
			}
			catch (Exception ex) {
				record(fault, "could not be injected: " + ex);
			}
		}
	}

	private String inject(String fault) throws Exception {
		return switch (fault) {
			case "kill" -> kill();
			case "stall" -> stall();
			case "cut" -> "closed " + this.proxy.cut() + " sockets";
			case "restart" -> restart();
			case "exhaust" -> exhaust();
			case "overflow" -> overflow();
			default -> throw new IllegalArgumentException(fault);
		};
	}

	private String kill() throws SQLException {
		try (Connection connection = this.target.admin(this.target.adminDatabase());
				Statement admin = connection.createStatement()) {
			List<Long> sessions = this.target.sessions(admin, false);
			for (long session : sessions) {
				this.target.kill(admin, session);
			}
			return "killed " + sessions.size() + " sessions at the server";
		}
	}

	private String stall() throws InterruptedException {
		this.proxy.stall();
		try {
			TimeUnit.SECONDS.sleep(3);
		}
		finally {
			this.proxy.resume();
		}
		return "held every byte for 3 s";
	}

	private String restart() throws Exception {
		long start = System.nanoTime();
		this.target.restart();
		return "restarted the server in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms";
	}

	/**
	 * Take every permit as lanes and hold them, so that the callers' work waits and times
	 * out in the queue.
	 */
	private String exhaust() throws InterruptedException {
		int permits = this.engine.stats().maxConcurrency();
		List<CompletableFuture<AsyncConnection>> lanes = new ArrayList<>();
		for (int i = 0; i < permits; i++) {
			lanes.add(this.template.connect());
		}
		// The lanes queue behind the callers' work; hold those that come within 10 s.
		long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		for (CompletableFuture<AsyncConnection> lane : lanes) {
			try {
				lane.get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
			}
			catch (ExecutionException | TimeoutException ex) {
				// Counted below.
			}
		}
		TimeUnit.SECONDS.sleep(3);
		int held = 0;
		for (CompletableFuture<AsyncConnection> lane : lanes) {
			// A lane still queued leaves the queue; one that came is given back.
			boolean came = !lane.cancel(false) && !lane.isCompletedExceptionally();
			if (came) {
				lane.join().close();
				held++;
			}
			count("exhaust", came ? "lane held" : "lane not held");
		}
		return "held " + held + " of " + permits + " permits for 3 s";
	}

	/**
	 * Submit more than the queue holds at once: the surplus is refused at once.
	 */
	private String overflow() {
		int burst = this.engine.stats().queueCapacity() + this.engine.stats().maxConcurrency() + 500;
		List<CompletableFuture<Integer>> futures = new ArrayList<>(burst);
		for (int i = 0; i < burst; i++) {
			futures.add(this.template.queryForObject("select 1", Integer.class));
		}
		int refused = 0;
		for (CompletableFuture<Integer> future : futures) {
			try {
				future.get(Workload.BOUND.toMillis(), TimeUnit.MILLISECONDS);
				count("overflow", "ok");
			}
			catch (TimeoutException ex) {
				count("overflow", "stuck");
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return "interrupted";
			}
			catch (ExecutionException ex) {
				boolean saturated = ex.getCause() instanceof EngineSaturatedException;
				refused += saturated ? 1 : 0;
				count("overflow", saturated ? "rejected" : "failed");
			}
		}
		return "submitted " + burst + " at once, " + refused + " refused";
	}

	private void count(String fault, String outcome) {
		this.outcomes.computeIfAbsent(fault + " " + outcome, (key) -> new LongAdder()).increment();
	}

	private void record(String fault, String detail) {
		this.injected.computeIfAbsent(fault, (key) -> new LongAdder()).increment();
		long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - this.startNanos);
		this.log.add(String.format("%5d s  %-8s %s", seconds, fault, detail));
	}

}
