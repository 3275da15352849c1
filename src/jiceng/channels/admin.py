from django.contrib import admin

from .models import Delivery, Robot, UserContact


@admin.register(Robot)
class RobotAdmin(admin.ModelAdmin):
    list_display = ["name", "place", "district", "kinds", "markdown", "active"]
    list_filter = ["active"]
    search_fields = ["name"]
    raw_id_fields = ["place", "district"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created", "channel", "masked_recipient", "event", "status", "attempts"]
    list_filter = ["channel", "status"]
    search_fields = ["summary", "event"]
    readonly_fields = [f.name for f in Delivery._meta.fields if f.name not in ("recipient", "payload")]
    exclude = ["recipient", "payload"]  # phones and robot keys stay masked, codes unseen

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(UserContact)
class UserContactAdmin(admin.ModelAdmin):
    list_display = ["user", "__str__", "verified_at"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
