DROP TABLE notifications;
DROP TABLE subscriptions;
