package io.asyncsql;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A data source that records how many of its connections are in use at once.
 */
final class CountingDataSource extends DelegatingDataSource {

	final AtomicInteger inUse = new AtomicInteger();

	final AtomicInteger maxInUse = new AtomicInteger();

	CountingDataSource(DataSource target) {
		super(target);
	}

	@Override
	public Connection getConnection() throws SQLException {
		Connection target = obtainTargetDataSource().getConnection();
		this.maxInUse.accumulateAndGet(this.inUse.incrementAndGet(), Math::max);
		AtomicInteger closed = new AtomicInteger();
		return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
				(proxy, method, args) -> {
					if (method.getName().equals("close") && closed.getAndIncrement() == 0) {
						this.inUse.decrementAndGet();
					}
					try {
						return method.invoke(target, args);
					}
					catch (InvocationTargetException ex) {
						throw ex.getTargetException();
					}
				});
	}

}
