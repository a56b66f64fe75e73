package io.asyncsql;

import java.sql.SQLException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;

/**
 * Reads the maximum size of a connection pool, where the pool says it.
 */
final class PoolSize {

	private static final boolean HIKARI_PRESENT = ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource",
			PoolSize.class.getClassLoader());

	private PoolSize() {
	}

	/**
	 * Return the pool's maximum size.
	 * @param dataSource the data source, possibly a wrapper
	 * @return the size, or {@code null} when unknown
	 */
	static @Nullable Integer maximumOf(DataSource dataSource) {
		return HIKARI_PRESENT ? Hikari.maximumOf(dataSource) : null;
	}

	private static final class Hikari {

		static @Nullable Integer maximumOf(DataSource dataSource) {
			try {
				if (dataSource.isWrapperFor(HikariDataSource.class)) {
					return dataSource.unwrap(HikariDataSource.class).getMaximumPoolSize();
				}
			}
			catch (SQLException ex) {
				// Not unwrappable: the size stays unknown.
			}
			return null;
		}

	}

}
