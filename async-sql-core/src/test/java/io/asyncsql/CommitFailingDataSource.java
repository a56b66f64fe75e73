package io.asyncsql;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A data source whose connections fail to commit while told to, as a driver does when the
 * database refuses a commit (a deferred constraint, a serialization failure), and fail to
 * roll back while told to; or whose commits are lost as the connection breaks (SQLSTATE
 * 08006) while told to.
 */
final class CommitFailingDataSource extends DelegatingDataSource {

	final AtomicBoolean failCommits = new AtomicBoolean();

	final AtomicBoolean breakCommits = new AtomicBoolean();

	final AtomicInteger rollbacks = new AtomicInteger();

	final AtomicBoolean failRollbacks = new AtomicBoolean();

	CommitFailingDataSource(DataSource target) {
		super(target);
	}

	@Override
	public Connection getConnection() throws SQLException {
		Connection target = obtainTargetDataSource().getConnection();
		return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
				(proxy, method, args) -> {
					if (method.getName().equals("commit") && this.failCommits.get()) {
						throw new SQLException("could not serialize access due to concurrent update", "40001");
					}
					if (method.getName().equals("commit") && this.breakCommits.get()) {
						throw new SQLException("An I/O error occurred while sending to the backend", "08006");
					}
					if (method.getName().equals("rollback")) {
						this.rollbacks.incrementAndGet();
						if (args == null && this.failRollbacks.get()) {
							throw new SQLException("rollback refused");
						}
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
