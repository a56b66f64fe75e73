package io.asyncsql.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCConnectOptions;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

/**
 * Vert.x's JDBC client: its own pool of pgjdbc connections, blocking calls run on Vert.x
 * worker threads, results delivered on the event loop.
 */
final class VertxJdbcContender implements Contender {

	private final String name;

	private final Vertx vertx;

	private final Pool pool;

	VertxJdbcContender(String name, Settings settings, int poolSize) {
		this.name = name;
		this.vertx = Vertx.vertx();
		JDBCConnectOptions connect = new JDBCConnectOptions().setJdbcUrl(settings.url())
			.setUser(settings.user())
			.setPassword(settings.password());
		this.pool = JDBCPool.pool(this.vertx, connect, new PoolOptions().setMaxSize(poolSize));
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public CompletableFuture<?> execute(Workload workload, Object[] arguments) {
		Future<RowSet<Row>> rows = this.pool.preparedQuery(workload.sql()).execute(Tuple.wrap(arguments));
		Future<?> result = switch (workload) {
			case POINT_SELECT -> rows.map(VertxJdbcContender::single);
			case INSERT -> rows.map(RowSet::rowCount);
			case RANGE_READ -> rows.map(VertxJdbcContender::items);
		};
		return result.toCompletionStage().toCompletableFuture();
	}

	private static Item single(RowSet<Row> rows) {
		if (rows.size() != 1) {
			throw new IllegalStateException("Expected one row but got " + rows.size());
		}
		return item(rows.iterator().next());
	}

	private static List<Item> items(RowSet<Row> rows) {
		List<Item> items = new ArrayList<>(rows.size());
		for (Row row : rows) {
			items.add(item(row));
		}
		return items;
	}

	private static Item item(Row row) {
		return new Item(row.getInteger(0), row.getString(1), row.getInteger(2));
	}

	@Override
	public void close() {
		try {
			// One after the other: a listener chained onto the pool's close would run on
			// an
			// event loop that Vert.x is stopping.
			this.pool.close().await(30, TimeUnit.SECONDS);
			this.vertx.close().await(30, TimeUnit.SECONDS);
		}
		catch (TimeoutException ex) {
			System.err.println("Vert.x did not close within 30 s; carrying on");
		}
	}

}
