package io.asyncsql.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;

import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.ThreadMode;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The engine's own cost per operation: {@code SELECT 1} on H2 in memory, where the
 * database costs a few microseconds, through async-sql and as a direct blocking call, on
 * the same number of threads.
 * <p>
 * One thread is the latency the hand-off adds to a lone operation (submit, permit, a
 * worker thread, completion). Ten threads, the pool size, on a machine with fewer cores
 * show the throughput cost when every permit is busy: the time the engine's queue,
 * permits and futures add to each operation, which on a saturated machine is their CPU
 * spread over the cores. Both are reported as elapsed microseconds per operation, the
 * inverse of throughput.
 */
final class Overhead implements AutoCloseable {

	static final List<Integer> THREADS = List.of(1, 10);

	private static final String SELECT_ONE = "SELECT 1";

	private final HikariDataSource dataSource;

	private final JdbcTemplate jdbc;

	private final Map<Integer, AsyncEngine> engines = new LinkedHashMap<>();

	/**
	 * One level's figures.
	 *
	 * @param threads threads on both sides: the engine's permits and the direct callers
	 * @param directMicros microseconds per operation of direct blocking calls
	 * @param asyncMicros microseconds per operation through async-sql
	 */
	record Result(int threads, double directMicros, double asyncMicros) {

		double overheadMicros() {
			return this.asyncMicros - this.directMicros;
		}

	}

	Overhead() {
		this.dataSource = Database.pool("bench-h2", "jdbc:h2:mem:bench-overhead;DB_CLOSE_DELAY=-1", "sa", "",
				Database.POOL_SIZE);
		this.jdbc = new JdbcTemplate(this.dataSource);
		for (int threads : THREADS) {
			this.engines.put(threads,
					AsyncEngine.builder(this.dataSource)
						.name("overhead-" + threads)
						.maxConcurrency(threads)
						.threadMode(ThreadMode.PLATFORM)
						.build());
		}
	}

	/**
	 * Measure every level once, direct first, then async.
	 */
	List<Result> measure(Duration warmup, Duration measure) {
		List<Result> results = new ArrayList<>();
		for (int threads : THREADS) {
			AsyncJdbcTemplate template = new AsyncJdbcTemplate(this.engines.get(threads));
			Measurement direct = new ClosedLoop(
					() -> Futures.call(() -> this.jdbc.queryForObject(SELECT_ONE, Integer.class)), threads, true,
					ClosedLoop.SubmitFrom.COMPLETING)
				.run(warmup, measure);
			Measurement async = new ClosedLoop(() -> template.queryForObject(SELECT_ONE, Integer.class), threads, false,
					ClosedLoop.SubmitFrom.COMPLETING)
				.run(warmup, measure);
			results.add(new Result(threads, 1e6 / direct.opsPerSecond(), 1e6 / async.opsPerSecond()));
		}
		return results;
	}

	@Override
	public void close() {
		this.engines.values().forEach(AsyncEngine::close);
		this.dataSource.close();
	}

}
