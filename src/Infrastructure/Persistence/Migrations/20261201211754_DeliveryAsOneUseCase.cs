using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Modular.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class DeliveryAsOneUseCase : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_messages_pending_due_at",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "delivery_job_id",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "redriven_at",
                table: "messages");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "handover_at",
                table: "messages",
                type: "timestamp with time zone",
                nullable: true);

            // Claims made before leases existed name no claimer: the sweeper recovers them. Whether
            // their SMTP transaction had started is unknown, so they count as handed over (uncertain).
            migrationBuilder.Sql("UPDATE messages SET handover_at = sending_since WHERE status = 'Sending'");

            migrationBuilder.AddColumn<Guid>(
                name: "claimed_by",
                table: "messages",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "delivery_claimers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    heartbeat_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_delivery_claimers", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "delivery_slots",
                columns: table => new
                {
                    slot = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_delivery_slots", x => x.slot);
                });

            migrationBuilder.CreateIndex(
                name: "ix_messages_sending_claimed_by",
                table: "messages",
                column: "claimed_by",
                filter: "status = 'Sending'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "delivery_claimers");

            migrationBuilder.DropTable(
                name: "delivery_slots");

            migrationBuilder.DropIndex(
                name: "ix_messages_sending_claimed_by",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "claimed_by",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "handover_at",
                table: "messages");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "redriven_at",
                table: "messages",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "delivery_job_id",
                table: "messages",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_messages_pending_due_at",
                table: "messages",
                column: "due_at",
                filter: "status IN ('Queued', 'Scheduled', 'Sending')");
        }
    }
}
