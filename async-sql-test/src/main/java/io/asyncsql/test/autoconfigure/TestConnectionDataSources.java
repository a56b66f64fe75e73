package io.asyncsql.test.autoconfigure;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Wraps each {@link DataSource} bean in a {@link TestConnectionDataSource} and keeps
 * them, so that {@link TestConnectionExecutionListener} can open and end each test's
 * connection.
 */
final class TestConnectionDataSources implements BeanPostProcessor {

	private final List<TestConnectionDataSource> dataSources = new CopyOnWriteArrayList<>();

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof DataSource dataSource && !(bean instanceof TestConnectionDataSource)) {
			TestConnectionDataSource wrapped = new TestConnectionDataSource(dataSource);
			this.dataSources.add(wrapped);
			return wrapped;
		}
		return bean;
	}

	List<TestConnectionDataSource> dataSources() {
		return this.dataSources;
	}

}
