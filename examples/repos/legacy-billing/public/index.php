<?php
require __DIR__ . '/../vendor/autoload.php';

use Acme\Billing\Support\Db;

$config = require __DIR__ . '/../config/config.php';
$db = Db::connect($config['db']);

$month = $_GET['month'] ?? date('Y-m');
$stmt = $db->prepare('SELECT id, customer_name, total_cents, status FROM invoices WHERE month = ? ORDER BY id');
$stmt->execute([$month]);
$invoices = $stmt->fetchAll();
?>
<!doctype html>
<html><head><title>Billing <?= htmlspecialchars($month) ?></title></head>
<body>
<h1>Invoices <?= htmlspecialchars($month) ?></h1>
<table>
<tr><th>#</th><th>Customer</th><th>Total</th><th>Status</th></tr>
<?php foreach ($invoices as $inv): ?>
<tr>
  <td><?= (int) $inv['id'] ?></td>
  <td><?= htmlspecialchars($inv['customer_name']) ?></td>
  <td><?= number_format($inv['total_cents'] / 100, 2, ',', '.') ?> EUR</td>
  <td><?= htmlspecialchars($inv['status']) ?></td>
</tr>
<?php endforeach; ?>
</table>
</body></html>
