package io.asyncsql.benchmarks;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The benchmark's tables and connection pools: {@code bench_item} with
 * {@value #ITEM_ROWS} rows to read, {@code bench_insert} to write into.
 */
final class Database {

	static final int ITEM_ROWS = 10_000;

	static final int POOL_SIZE = 10;

	private Database() {
	}

	/**
	 * Fail at once, with a message saying what to do, when PostgreSQL does not answer.
	 * @throws IllegalStateException if no connection can be made within five seconds
	 */
	static void checkReachable(Settings settings) {
		Properties properties = new Properties();
		properties.setProperty("user", settings.user());
		properties.setProperty("password", settings.password());
		properties.setProperty("connectTimeout", "5");
		properties.setProperty("loginTimeout", "5");
		try (Connection connection = DriverManager.getConnection(settings.url(), properties)) {
			connection.isValid(5);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(
					"PostgreSQL is not reachable at " + settings.url() + " as user '" + settings.user() + "': "
							+ ex.getMessage() + "\nStart it, or point the benchmark elsewhere with --url and --user.",
					ex);
		}
	}

	/**
	 * Create a HikariCP pool whose connections are all open before the first cell.
	 */
	static HikariDataSource pool(String name, String url, String user, String password, int size) {
		HikariConfig config = new HikariConfig();
		config.setPoolName(name);
		config.setJdbcUrl(url);
		config.setUsername(user);
		config.setPassword(password);
		config.setMaximumPoolSize(size);
		config.setMinimumIdle(size);
		return new HikariDataSource(config);
	}

	/**
	 * Create the tables when missing and fill {@code bench_item} when it does not hold
	 * exactly the expected rows.
	 */
	static void prepare(DataSource dataSource) {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		jdbc.execute("CREATE TABLE IF NOT EXISTS bench_item (id integer PRIMARY KEY, name text NOT NULL,"
				+ " amount integer NOT NULL)");
		jdbc.execute("CREATE TABLE IF NOT EXISTS bench_insert (id bigserial PRIMARY KEY, name text NOT NULL,"
				+ " amount integer NOT NULL)");
		Integer rows = jdbc.queryForObject("SELECT count(*) FROM bench_item", Integer.class);
		if (rows == null || rows != ITEM_ROWS) {
			jdbc.execute("TRUNCATE bench_item");
			jdbc.update("INSERT INTO bench_item (id, name, amount) SELECT n, 'item-' || n, n % 1000"
					+ " FROM generate_series(1, ?) AS n", ITEM_ROWS);
		}
		jdbc.execute("ANALYZE bench_item");
		truncateInserts(dataSource);
	}

	/**
	 * Empty {@code bench_insert}, so that every insert cell starts from the same table.
	 */
	static void truncateInserts(DataSource dataSource) {
		new JdbcTemplate(dataSource).execute("TRUNCATE bench_insert");
	}

	static String version(DataSource dataSource) {
		return new JdbcTemplate(dataSource).queryForObject("SELECT version()", String.class);
	}

}
